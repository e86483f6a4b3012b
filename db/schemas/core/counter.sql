-- Deploy mercato:schemas/core/counter to pg
-- Gapless counters: numbers a module hands out in sequence within a scope and a key (a tenant's order numbers, a
-- vendor's tax invoices per series and financial year, a shop's purchase orders). A sequence leaves gaps when a
-- transaction rolls back; a counter row is incremented under its row lock in the caller's transaction, so a number
-- is used exactly when the caller commits. The row lock serialises the writers of one key, which is the price of
-- gaplessness; different keys never wait for each other.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TABLE core.counter (
    scope      text NOT NULL CONSTRAINT counter_scope_check CHECK (scope ~ '^[a-z][a-z0-9_]{0,30}\.[a-z][a-z0-9_]{0,30}$'),
    key        text NOT NULL CONSTRAINT counter_key_check CHECK (length(key) BETWEEN 1 AND 200),
    last_value bigint NOT NULL CONSTRAINT counter_last_value_check CHECK (last_value >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT counter_pkey PRIMARY KEY (scope, key)
) WITH (fillfactor = 70);
COMMENT ON TABLE core.counter IS
'Gapless counters: the last number handed out per scope (module.entity, e.g. orders.order) and key (e.g. a tenant id,
or vendor/series/financial year). Written only by core.next_number, under the row''s lock, in the caller''s
transaction. No API role reads or writes it. fillfactor 70 keeps increments HOT.';
REVOKE ALL ON core.counter FROM PUBLIC;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CORE_COUNTER_INVALID', 'core', 'PT400', 'invalid counter scope or key', NULL,
 'A counter''s scope is module.entity in lower snake case and its key 1-200 characters.');

COMMIT;
