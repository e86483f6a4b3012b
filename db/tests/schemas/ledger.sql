-- Tests for schemas/ledger: structure, constraints, privileges and the guards that hold for every role.
BEGIN;
SELECT plan(23);

SELECT has_schema('ledger');
SELECT tables_are('ledger', ARRAY['account', 'account_slot', 'transaction', 'entry', 'hold']);
SELECT col_is_pk('ledger', 'entry', ARRAY['account_id', 'slot', 'seq'], 'entries are keyed by account slot and sequence');
SELECT col_is_unique('ledger', 'transaction', 'reference', 'transaction references are unique (idempotency)');
SELECT col_is_unique('ledger', 'hold', 'reference', 'hold references are unique (idempotency)');
SELECT fk_ok('ledger', 'entry', 'transaction_id', 'ledger', 'transaction', 'id');
SELECT fk_ok('ledger', 'entry', 'account_id', 'ledger', 'account', 'id');
SELECT fk_ok('ledger', 'account', 'currency', 'masterdata', 'currency', 'code');

-- application roles cannot touch the tables directly
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$SELECT * FROM ledger.account$$, '42501', NULL, 'mercato_user cannot read accounts');
SELECT throws_ok($$INSERT INTO ledger.transaction (reference, kind, request_hash) VALUES ('x', 'POST', gen_random_uuid())$$,
                 '42501', NULL, 'mercato_user cannot insert transactions');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT lives_ok($$SELECT count(*) FROM ledger.entry$$, 'mercato_service may read entries');
SELECT throws_ok($$INSERT INTO ledger.entry VALUES (1, 1, 0, 1, 1, 0, 1, now())$$, '42501', NULL,
                 'mercato_service cannot insert entries');
SELECT throws_ok($$UPDATE ledger.account SET balance = 1e9$$, '42501', NULL, 'mercato_service cannot set balances');
SELECT throws_ok($$DELETE FROM ledger.hold$$, '42501', NULL, 'mercato_service cannot delete holds');
SELECT throws_ok($$UPDATE ledger.entry SET amount = 1$$, '42501', NULL, 'mercato_service cannot update entries');
RESET ROLE;

-- even the owner cannot break the rules
CREATE TEMP TABLE t AS SELECT
    ledger.open_account('TEST', 'a', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('TEST', 'b', 'MAIN', 'ETB') AS b;
SELECT ledger.transfer('schema-fund', (SELECT src FROM t), (SELECT b FROM t), 100);
SELECT throws_like($$INSERT INTO ledger.entry VALUES ((SELECT min(id) FROM ledger.transaction), (SELECT b FROM t), 0, 99, 5, 0, 5, now())$$,
                   'LEDGER_UNBALANCED:%', 'an unbalanced INSERT fails, even for the owner');
SELECT throws_like($$UPDATE ledger.entry SET amount = amount$$, 'LEDGER_IMMUTABLE:%', 'entries cannot be updated, even by the owner');
SELECT throws_like($$DELETE FROM ledger.entry$$, 'LEDGER_IMMUTABLE:%', 'entries cannot be deleted');
SELECT throws_like($$TRUNCATE ledger.entry CASCADE$$, 'LEDGER_IMMUTABLE:%', 'entries cannot be truncated');
SELECT throws_like($$UPDATE ledger.transaction SET memo = 'changed'$$, 'LEDGER_IMMUTABLE:%', 'transactions cannot be edited');
SELECT throws_like($$DELETE FROM ledger.transaction$$, 'LEDGER_IMMUTABLE:%', 'transactions cannot be deleted');
SELECT throws_ok($$UPDATE ledger.account SET balance = -1 WHERE id = (SELECT b FROM t)$$, '23514', NULL,
                 'a plain account cannot go below zero, even by a direct UPDATE');
SELECT throws_ok($$SELECT ledger.open_account('TEST', 'h', 'COMMISSION', 'ETB', true, 0, false, 4)$$, 'PT400', NULL,
                 'hot accounts cannot overdraw');

SELECT * FROM finish();
ROLLBACK;
