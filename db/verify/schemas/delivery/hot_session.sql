-- Verify mercato:schemas/delivery/hot_session on pg

BEGIN;

SELECT live FROM delivery.session WHERE false;
SELECT 1 / (pg_get_indexdef('delivery.session_assignment_live_key'::regclass) LIKE '%WHERE live%')::int;

ROLLBACK;
