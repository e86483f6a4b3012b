-- Verify mercato:schemas/delivery/outbox on pg

BEGIN;

-- the error code is catalogued (1/0 fails otherwise)
SELECT 1 / (count(*) = 1)::int FROM core.error WHERE code = 'DELIVERY_NO_CONTACT';

ROLLBACK;
