-- Verify mercato:schemas/identity/rls on pg

BEGIN;

SELECT 'identity.my_business_id()'::regprocedure, 'identity.my_provider_id()'::regprocedure,
       'identity.my_tenant_id()'::regprocedure;
SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 10)::int
  FROM pg_class c
 WHERE c.oid IN ('identity.tenant'::regclass, 'identity.user_account'::regclass, 'identity.role_assignment'::regclass,
                 'identity.business'::regclass, 'identity.provider'::regclass, 'identity.vehicle'::regclass,
                 'identity.vehicle_insurance'::regclass, 'identity.trust_score_event'::regclass,
                 'identity.tier_change'::regclass, 'identity.tier_candidate'::regclass);

ROLLBACK;
