-- Verify mercato:schemas/ledger/rls on pg

BEGIN;

SELECT 'ledger.my_account_ids()'::regprocedure, 'ledger.slot_total(bigint)'::regprocedure,
       'ledger.visible_transaction_reference(bigint)'::regprocedure, 'ledger.visible_hold_reference(bigint)'::regprocedure;
SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 5)::int
  FROM pg_class c
 WHERE c.oid IN ('ledger.account'::regclass, 'ledger.account_slot'::regclass, 'ledger.transaction'::regclass,
                 'ledger.entry'::regclass, 'ledger.hold'::regclass);

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the routines it grants to API roles
SELECT 1 / pg_catalog.has_function_privilege(x.role, x.f, 'EXECUTE')::int
  FROM (VALUES ('ledger.my_account_ids()', 'mercato_service'),
               ('ledger.my_account_ids()', 'mercato_user'),
               ('ledger.slot_total(bigint)', 'mercato_service'),
               ('ledger.slot_total(bigint)', 'mercato_user'),
               ('ledger.visible_hold_reference(bigint)', 'mercato_service'),
               ('ledger.visible_hold_reference(bigint)', 'mercato_user'),
               ('ledger.visible_transaction_reference(bigint)', 'mercato_service'),
               ('ledger.visible_transaction_reference(bigint)', 'mercato_user')) AS x(f, role);
-- the relations it grants to API roles
SELECT 1 / pg_catalog.has_table_privilege(x.role, x.t, x.priv)::int
  FROM (VALUES ('ledger.account', 'mercato_user', 'SELECT'),
               ('ledger.entry', 'mercato_user', 'SELECT')) AS x(t, role, priv);
-- its policies
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.tab::regclass AND p.polname = x.name)::int
  FROM (VALUES ('ledger.account_slot', 'account_slot_service'),
               ('ledger.account', 'account_own'),
               ('ledger.account', 'account_service'),
               ('ledger.entry', 'entry_own'),
               ('ledger.entry', 'entry_service'),
               ('ledger.hold', 'hold_own'),
               ('ledger.hold', 'hold_service'),
               ('ledger.transaction', 'transaction_own'),
               ('ledger.transaction', 'transaction_service')) AS x(tab, name);

ROLLBACK;
