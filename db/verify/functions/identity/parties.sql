-- Verify mercato:functions/identity/parties on pg

BEGIN;

SELECT 'identity.current_business()'::regprocedure, 'identity.current_provider()'::regprocedure,
       'identity.is_marketplace_admin()'::regprocedure,
       'identity.vehicle_insured(bigint, date, date)'::regprocedure;

ROLLBACK;
