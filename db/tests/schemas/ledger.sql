-- Tests for schemas/ledger: structure, constraints, privileges and the guards that hold for every role.
BEGIN;
SELECT plan(59);

-- structure
SELECT has_schema('ledger');
SELECT tables_are('ledger', ARRAY['account', 'account_slot', 'transaction', 'entry', 'hold']);
SELECT col_is_pk('ledger', 'account', 'id', 'accounts have a bigint identity key');
SELECT col_type_is('ledger', 'account', 'id', 'bigint', 'account ids are bigint');
SELECT col_is_pk('ledger', 'account_slot', ARRAY['account_id', 'slot'], 'hot slots are keyed by account and slot');
SELECT col_is_pk('ledger', 'transaction', 'id', 'transactions have a bigint identity key');
SELECT col_is_pk('ledger', 'entry', ARRAY['account_id', 'slot', 'seq'], 'entries are keyed by account slot and sequence');
SELECT col_is_pk('ledger', 'hold', 'id', 'holds have a bigint identity key');
SELECT col_is_unique('ledger', 'transaction', 'reference', 'transaction references are unique (idempotency)');
SELECT col_is_unique('ledger', 'hold', 'reference', 'hold references are unique (idempotency)');
SELECT col_is_unique('ledger', 'account', ARRAY['owner_type', 'owner_id', 'purpose', 'currency'],
                     'one account per owner, purpose and currency');
SELECT index_is_unique('ledger', 'transaction', 'transaction_reversal_of_key', 'a transaction is reversed at most once');
SELECT fk_ok('ledger', 'account', 'currency', 'masterdata', 'currency', 'code');
SELECT fk_ok('ledger', 'account_slot', 'account_id', 'ledger', 'account', 'id');
SELECT fk_ok('ledger', 'hold', 'account_id', 'ledger', 'account', 'id');
SELECT fk_ok('ledger', 'hold', 'transaction_id', 'ledger', 'transaction', 'id');
SELECT fk_ok('ledger', 'transaction', 'reversal_of', 'ledger', 'transaction', 'id');
SELECT fk_ok('ledger', 'transaction', 'reversed_by', 'ledger', 'transaction', 'id');
SELECT col_type_is('ledger', 'account', 'status', 'ledger.account_status', 'account status is a checked domain');
SELECT col_type_is('ledger', 'transaction', 'reference', 'ledger.reference', 'references are a checked domain');
SELECT has_check('ledger', 'account', 'accounts carry CHECK constraints (balance rules)');
SELECT has_check('ledger', 'entry', 'entries carry CHECK constraints (running balance)');
SELECT has_trigger('ledger', 'entry', 'entry_balanced', 'entries are balanced by a trigger');
SELECT has_trigger('ledger', 'entry', 'entry_immutable', 'entries are immutable');
SELECT has_trigger('ledger', 'account', 'account_policy_audit', 'account policy and status changes are audited');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid IN ('ledger.entry'::regclass, 'ledger.transaction'::regclass)
                      AND tgfoid = 'audit.track()'::regprocedure), 'entries and transactions are not audited row by row');
SELECT is((SELECT a.amname::text FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'ledger.entry_transaction_id_idx'::regclass),
          'brin', 'a transaction''s entries are found through a BRIN index (entries are appended in transaction order)');
SELECT ok((SELECT reloptions @> ARRAY['fillfactor=80'] FROM pg_class WHERE oid = 'ledger.account'::regclass),
          'the account table leaves room for HOT balance updates');

-- application roles cannot touch the tables directly
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM ledger.account), 0, 'mercato_user without claims reads no account (row-level security)');
SELECT throws_ok($$INSERT INTO ledger.transaction (reference, kind, request_hash) VALUES ('x', 'POST', gen_random_uuid())$$,
                 '42501', NULL, 'mercato_user cannot insert transactions');
SELECT throws_ok($$INSERT INTO ledger.entry VALUES (1, 1, 0, 1, 1, 0, 1, now())$$, '42501', NULL, 'mercato_user cannot insert entries');
SELECT throws_ok($$UPDATE ledger.account SET balance = 1e9$$, '42501', NULL, 'mercato_user cannot set balances');
SELECT throws_ok($$DELETE FROM ledger.entry$$, '42501', NULL, 'mercato_user cannot delete entries');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT lives_ok($$SELECT count(*) FROM ledger.entry$$, 'mercato_service may read entries');
SELECT throws_ok($$INSERT INTO ledger.entry VALUES (1, 1, 0, 1, 1, 0, 1, now())$$, '42501', NULL,
                 'mercato_service cannot insert entries');
SELECT throws_ok($$UPDATE ledger.account SET balance = 1e9$$, '42501', NULL, 'mercato_service cannot set balances');
SELECT throws_ok($$DELETE FROM ledger.hold$$, '42501', NULL, 'mercato_service cannot delete holds');
SELECT throws_ok($$UPDATE ledger.entry SET amount = 1$$, '42501', NULL, 'mercato_service cannot update entries');
SELECT throws_ok($$DELETE FROM ledger.transaction$$, '42501', NULL, 'mercato_service cannot delete transactions');
RESET ROLE;

-- even the owner cannot break the rules
CREATE TEMP TABLE t AS SELECT
    ledger.open_account('TEST', 'a', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('TEST', 'b', 'MAIN', 'ETB') AS b,
    ledger.open_account('TEST', 'u', 'MAIN', 'USD') AS usd,
    ledger.open_account('TEST', 'hot', 'COMMISSION', 'ETB', false, 0, false, 4) AS hot;
SELECT ledger.transfer('schema-fund', (SELECT src FROM t), (SELECT b FROM t), 100);
SELECT throws_like($$INSERT INTO ledger.entry VALUES ((SELECT min(id) FROM ledger.transaction), (SELECT b FROM t), 0, 99, 5, 0, 5, now())$$,
                   'LEDGER_UNBALANCED:%', 'a one-legged INSERT fails, even for the owner');
SELECT throws_like($$INSERT INTO ledger.entry VALUES
                       ((SELECT min(id) FROM ledger.transaction), (SELECT b FROM t), 0, 99, 5, 0, 5, now()),
                       ((SELECT min(id) FROM ledger.transaction), (SELECT usd FROM t), 0, 99, -5, 0, -5, now())$$,
                   'LEDGER_UNBALANCED:%', 'legs that net to zero across currencies do not balance');
SELECT throws_like($$INSERT INTO ledger.entry VALUES (987654321, (SELECT b FROM t), 0, 99, 5, 0, 5, now()),
                                                     (987654321, (SELECT src FROM t), 0, 99, -5, 0, -5, now())$$,
                   'LEDGER_UNKNOWN_TRANSACTION:%', 'entries must name an existing transaction');
SELECT throws_like($$UPDATE ledger.entry SET amount = amount$$, 'LEDGER_IMMUTABLE:%', 'entries cannot be updated, even by the owner');
SELECT throws_like($$DELETE FROM ledger.entry$$, 'LEDGER_IMMUTABLE:%', 'entries cannot be deleted');
SELECT throws_like($$TRUNCATE ledger.entry CASCADE$$, 'LEDGER_IMMUTABLE:%', 'entries cannot be truncated');
SELECT throws_like($$UPDATE ledger.transaction SET memo = 'changed'$$, 'LEDGER_IMMUTABLE:%', 'transactions cannot be edited');
SELECT throws_like($$DELETE FROM ledger.transaction$$, 'LEDGER_IMMUTABLE:%', 'transactions cannot be deleted');
SELECT throws_like($$UPDATE ledger.account SET currency = 'USD' WHERE id = (SELECT b FROM t)$$, 'LEDGER_IMMUTABLE:%',
                   'an account''s currency (and owner, purpose, slots) never change');
SELECT throws_ok($$UPDATE ledger.account SET balance = -1 WHERE id = (SELECT b FROM t)$$, '23514', NULL,
                 'a plain account cannot go below zero, even by a direct UPDATE');
SELECT throws_ok($$UPDATE ledger.account SET status = 'DORMANT' WHERE id = (SELECT b FROM t)$$, '23514', NULL,
                 'status is one of ACTIVE, FROZEN, CLOSED');
SELECT throws_ok($$SELECT ledger.open_account('TEST', 'h', 'COMMISSION', 'ETB', false, 10, false, 4)$$, 'PT400', NULL,
                 'hot accounts cannot have an overdraft limit');
SELECT throws_like($$UPDATE ledger.account SET overdraft_limit = 10 WHERE id = (SELECT hot FROM t)$$, 'LEDGER_HOT_ACCOUNT_POLICY:%',
                   'not even by a direct UPDATE of the owner');

-- The resolving UPDATEs of capture_hold and release_hold find their hold by the primary key even when the statistics
-- saw no open hold and every resolved hold has left a dead entry behind (a partial index on status = 'OPEN' would be
-- chosen then, and scanned whole on every capture for as long as the session's cached plan lives).
CREATE FUNCTION pg_temp.plan_indexes(p_query text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE v json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || p_query INTO v;
    RETURN jsonb_path_query_array(v::jsonb, 'strict $.**."Index Name"');
END $f$;
INSERT INTO ledger.hold (reference, request_hash, account_id, amount)
SELECT 'plan-' || g, md5(g::text)::uuid, (SELECT b FROM t), 1 FROM generate_series(1, 2000) g;
UPDATE ledger.hold SET status = 'RELEASED', resolved_at = now() WHERE reference LIKE 'plan-%';
ANALYZE ledger.hold;
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE capture_plan(bigint, numeric) AS
    UPDATE ledger.hold SET status = 'CAPTURED', resolved_at = now()
     WHERE id = $1 AND status = 'OPEN' AND (expires_at IS NULL OR expires_at > now()) AND amount >= $2;
PREPARE release_plan(bigint) AS
    UPDATE ledger.hold SET status = 'RELEASED', resolved_at = now() WHERE id = $1 AND status = 'OPEN';
SELECT is(pg_temp.plan_indexes('EXECUTE capture_plan(1, 1)'), '["hold_pkey"]',
          'a capture finds its hold by the primary key, whatever the statistics say about open holds');
SELECT is(pg_temp.plan_indexes('EXECUTE release_plan(1)'), '["hold_pkey"]',
          'a release finds its hold by the primary key, whatever the statistics say about open holds');
RESET plan_cache_mode;

-- Resolving a hold that never expires is a heap-only update: no index names status, the sweep's index reads the
-- generated open_expires_at, which stays NULL for such a hold.
CREATE TEMP TABLE hk AS SELECT ledger.create_hold('hot-cap', (SELECT b FROM t), 1) AS cap,
                               ledger.create_hold('hot-rel', (SELECT b FROM t), 1) AS rel,
                               ledger.create_hold('exp', (SELECT b FROM t), 1, now() + interval '1 hour') AS exp,
                               pg_stat_get_xact_tuples_hot_updated('ledger.hold'::regclass) AS hot0;
SELECT ledger.capture_hold('hot-cap-c', (SELECT cap FROM hk), jsonb_build_array(jsonb_build_object('account_id', (SELECT src FROM t), 'amount', '1')));
SELECT ledger.release_hold('hot-rel-r', (SELECT rel FROM hk));
SELECT is(pg_stat_get_xact_tuples_hot_updated('ledger.hold'::regclass) - (SELECT hot0 FROM hk), 2::bigint,
          'capturing and releasing a hold without expiry are heap-only updates: no index entry is written');
SELECT is((SELECT open_expires_at FROM ledger.hold WHERE id = (SELECT exp FROM hk)),
          (SELECT expires_at FROM ledger.hold WHERE id = (SELECT exp FROM hk)), 'an open hold shows its expiry to the sweep');
SELECT ledger.release_hold('exp-r', (SELECT exp FROM hk));
SELECT is((SELECT open_expires_at FROM ledger.hold WHERE id = (SELECT exp FROM hk)), NULL, 'a resolved hold leaves the sweep''s index');
SELECT throws_ok($$UPDATE ledger.hold SET open_expires_at = now()$$, '428C9', NULL, 'the sweep''s column cannot be written, only derived');
SELECT is(pg_temp.plan_indexes('SELECT id FROM ledger.hold WHERE open_expires_at <= now() ORDER BY open_expires_at, id LIMIT 10'),
          '["hold_open_expires_at_idx"]', 'the sweep reads open expiring holds from their own index');

SELECT * FROM finish();
ROLLBACK;
