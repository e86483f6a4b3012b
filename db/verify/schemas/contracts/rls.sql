-- Verify mercato:schemas/contracts/rls on pg

BEGIN;

SELECT 'contracts.my_contract_ids()'::regprocedure;
SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 5)::int
  FROM pg_class c
 WHERE c.oid IN ('contracts.contract'::regclass, 'contracts.party_business'::regclass, 'contracts.party_provider'::regclass,
                 'contracts.contract_line'::regclass, 'contracts.assignment'::regclass);

ROLLBACK;
