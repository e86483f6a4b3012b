-- Verify mercato:schemas/payments on pg

BEGIN;

SELECT 'payments'::regnamespace;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'payments', 'USAGE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM core.error WHERE code = 'PAYMENTS_INVALID_QR')::int;

ROLLBACK;
