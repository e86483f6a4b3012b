-- Verify mercato:schemas/ledger/rls on pg

BEGIN;

SELECT 'ledger.my_account_ids()'::regprocedure, 'ledger.slot_total(bigint)'::regprocedure,
       'ledger.visible_transaction_reference(bigint)'::regprocedure, 'ledger.visible_hold_reference(bigint)'::regprocedure;
SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 5)::int
  FROM pg_class c
 WHERE c.oid IN ('ledger.account'::regclass, 'ledger.account_slot'::regclass, 'ledger.transaction'::regclass,
                 'ledger.entry'::regclass, 'ledger.hold'::regclass);

ROLLBACK;
