-- Verify mercato:schemas/api/views on pg

BEGIN;

-- every api view runs with the caller's privileges, so row-level security applies (this change's 22 and the views
-- later changes add: at least 22, each security_invoker)
SELECT 1 / (count(*) >= 22 AND bool_and(coalesce('security_invoker=true' = ANY (c.reloptions), false)))::int
  FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relkind = 'v';

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the relations it grants to API roles
SELECT 1 / pg_catalog.has_table_privilege(x.role, x.t, x.priv)::int
  FROM (VALUES ('api.accounts', 'mercato_service', 'SELECT'),
               ('api.accounts', 'mercato_user', 'SELECT'),
               ('api.assignments', 'mercato_service', 'SELECT'),
               ('api.assignments', 'mercato_user', 'SELECT'),
               ('api.awards', 'mercato_service', 'SELECT'),
               ('api.awards', 'mercato_user', 'SELECT'),
               ('api.bids', 'mercato_user', 'SELECT'),
               ('api.businesses', 'mercato_service', 'SELECT'),
               ('api.businesses', 'mercato_user', 'SELECT'),
               ('api.contract_lines', 'mercato_service', 'SELECT'),
               ('api.contract_lines', 'mercato_user', 'SELECT'),
               ('api.contract_parties', 'mercato_service', 'SELECT'),
               ('api.contract_parties', 'mercato_user', 'SELECT'),
               ('api.contracts', 'mercato_service', 'SELECT'),
               ('api.contracts', 'mercato_user', 'SELECT'),
               ('api.delivery_sessions', 'mercato_service', 'SELECT'),
               ('api.delivery_sessions', 'mercato_user', 'SELECT'),
               ('api.entries', 'mercato_service', 'SELECT'),
               ('api.entries', 'mercato_user', 'SELECT'),
               ('api.handovers', 'mercato_service', 'SELECT'),
               ('api.handovers', 'mercato_user', 'SELECT'),
               ('api.holds', 'mercato_service', 'SELECT'),
               ('api.holds', 'mercato_user', 'SELECT'),
               ('api.providers', 'mercato_service', 'SELECT'),
               ('api.providers', 'mercato_user', 'SELECT'),
               ('api.rfq_lines', 'mercato_service', 'SELECT'),
               ('api.rfq_lines', 'mercato_user', 'SELECT'),
               ('api.rfqs', 'mercato_service', 'SELECT'),
               ('api.rfqs', 'mercato_user', 'SELECT'),
               ('api.settlement_lines', 'mercato_service', 'SELECT'),
               ('api.settlement_lines', 'mercato_user', 'SELECT'),
               ('api.settlements', 'mercato_service', 'SELECT'),
               ('api.settlements', 'mercato_user', 'SELECT'),
               ('api.tier_changes', 'mercato_service', 'SELECT'),
               ('api.tier_changes', 'mercato_user', 'SELECT'),
               ('api.transactions', 'mercato_service', 'SELECT'),
               ('api.transactions', 'mercato_user', 'SELECT'),
               ('api.trust_score_events', 'mercato_service', 'SELECT'),
               ('api.trust_score_events', 'mercato_user', 'SELECT'),
               ('api.vehicle_insurances', 'mercato_service', 'SELECT'),
               ('api.vehicle_insurances', 'mercato_user', 'SELECT'),
               ('api.vehicles', 'mercato_service', 'SELECT'),
               ('api.vehicles', 'mercato_user', 'SELECT')) AS x(t, role, priv);

ROLLBACK;
