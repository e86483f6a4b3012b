-- Verify mercato:schemas/contracts/rls on pg

BEGIN;

SELECT 'contracts.my_contract_ids()'::regprocedure, 'contracts.visible_lines()'::regprocedure,
       'contracts.visible_total_amount(bigint)'::regprocedure;
SELECT 1 / (NOT has_any_column_privilege(r, 'contracts.contract_line', 'SELECT')
            AND NOT has_column_privilege(r, 'contracts.contract', 'total_amount', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;
SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 5)::int
  FROM pg_class c
 WHERE c.oid IN ('contracts.contract'::regclass, 'contracts.party_business'::regclass, 'contracts.party_provider'::regclass,
                 'contracts.contract_line'::regclass, 'contracts.assignment'::regclass);

ROLLBACK;
