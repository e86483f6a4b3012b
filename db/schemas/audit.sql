-- Deploy mercato:schemas/audit to pg
-- The append-only event log every module writes to, partitioned by month.

BEGIN;

CREATE SCHEMA audit;
COMMENT ON SCHEMA audit IS 'Append-only event log (who did what to which entity, before and after), partitioned by month.';

CREATE TABLE audit.event (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    tx_id         bigint NOT NULL DEFAULT pg_catalog.txid_current(),
    actor_subject text,
    actor_user_id bigint,
    db_role       text NOT NULL DEFAULT current_user,
    module        text NOT NULL CONSTRAINT event_module_check CHECK (module ~ '^[a-z][a-z0-9_]*$'),
    entity_type   text NOT NULL CONSTRAINT event_entity_type_check CHECK (entity_type <> ''),
    entity_id     text,
    action        text NOT NULL CONSTRAINT event_action_check CHECK (action ~ '^[A-Z][A-Z0-9_]*$'),
    old_values    jsonb,
    new_values    jsonb,
    CONSTRAINT event_pkey PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE audit.event IS
'Append-only audit log: actor (JWT subject and user id), entity, action, old/new values as jsonb, time.
Row changes come from the audit.track() trigger, domain events from audit.record(). Partitions are
monthly (audit.event_yYYYYmMM), created ahead by audit.ensure_partitions(). Only the owner may
UPDATE, DELETE or TRUNCATE.';
COMMENT ON COLUMN audit.event.occurred_at IS 'Transaction start time (now()), UTC; also the partition key.';
COMMENT ON COLUMN audit.event.actor_subject IS 'The "sub" claim of request.jwt.claims, NULL for unauthenticated/system work.';

CREATE INDEX event_entity_idx ON audit.event (entity_type, entity_id, occurred_at);
CREATE INDEX event_actor_idx ON audit.event (actor_user_id, occurred_at) WHERE actor_user_id IS NOT NULL;

-- Append-only by privilege: nobody but the owner holds anything; writes go through
-- SECURITY DEFINER functions (audit.record, audit.track), reads through later API functions.
REVOKE ALL ON audit.event FROM PUBLIC;
GRANT SELECT ON audit.event TO mercato_service;
GRANT USAGE ON SCHEMA audit TO mercato_user, mercato_service, mercato_anon;

COMMIT;
