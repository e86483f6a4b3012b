-- Verify mercato:schemas/contracts/rls on pg
-- Existence and privileges only. Fails when a helper is missing (its regprocedure cast raises) or not executable by
-- the roles whose policies and views call it, when a table has row-level security off, a policy is missing, a
-- reader lacks SELECT, or an API role can read the sealed lines or the contract total (division by zero).

BEGIN;

SELECT 1 / has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['contracts.my_contract_ids()'::regprocedure, 'contracts.visible_lines()'::regprocedure,
                    'contracts.visible_total_amount(bigint)'::regprocedure]) f,
       unnest(ARRAY['mercato_user', 'mercato_service']) r;
SELECT 1 / (NOT has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['contracts.my_contract_ids()'::regprocedure, 'contracts.visible_lines()'::regprocedure,
                    'contracts.visible_total_amount(bigint)'::regprocedure]) f;

-- row-level security on every table
SELECT 1 / (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = t)::int
  FROM unnest(ARRAY['contracts.contract'::regclass, 'contracts.party_business'::regclass, 'contracts.party_provider'::regclass,
                    'contracts.contract_line'::regclass, 'contracts.assignment'::regclass]) t;

-- every policy, on its table
SELECT 1 / (SELECT count(*) FROM pg_policy p WHERE p.polname = x.name AND p.polrelid = x.rel)::int
  FROM (VALUES ('contract_service', 'contracts.contract'::regclass), ('contract_party', 'contracts.contract'::regclass),
               ('party_business_service', 'contracts.party_business'::regclass),
               ('party_business_party', 'contracts.party_business'::regclass),
               ('party_provider_service', 'contracts.party_provider'::regclass),
               ('party_provider_party', 'contracts.party_provider'::regclass),
               ('assignment_service', 'contracts.assignment'::regclass),
               ('assignment_party', 'contracts.assignment'::regclass)) AS x(name, rel);

-- the readers may read, every contract column but the total included; nobody reads lines or the total
SELECT 1 / (has_table_privilege(r, t, 'SELECT'))::int
  FROM unnest(ARRAY['contracts.party_business'::regclass, 'contracts.party_provider'::regclass,
                    'contracts.assignment'::regclass]) t,
       unnest(ARRAY['mercato_user', 'mercato_service']) r;
SELECT 1 / (has_column_privilege(r, 'contracts.contract', c, 'SELECT'))::int
  FROM unnest(ARRAY['id', 'contract_number', 'rfq_id', 'business_id', 'currency', 'start_date', 'end_date', 'status',
                    'commission_policy_version_id', 'business_wallet_account_id', 'created_at', 'activated_at',
                    'ended_at', 'end_reason']) c,
       unnest(ARRAY['mercato_user', 'mercato_service']) r;
SELECT 1 / (NOT has_any_column_privilege(r, 'contracts.contract_line', 'SELECT')
            AND NOT has_column_privilege(r, 'contracts.contract', 'total_amount', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;

ROLLBACK;
