-- Verify mercato:functions/identity/parties on pg

BEGIN;

SELECT 'identity.current_business()'::regprocedure, 'identity.current_provider()'::regprocedure,
       'identity.is_marketplace_admin()'::regprocedure,
       'identity.vehicle_insured(bigint, date, date)'::regprocedure,
       'identity.register_business(text, text, text)'::regprocedure, 'identity.register_provider(text, text, text)'::regprocedure,
       'identity.add_vehicle(text, text, integer, text, text, text, text[], jsonb)'::regprocedure,
       'identity.expiring_insurance(integer)'::regprocedure;

ROLLBACK;
