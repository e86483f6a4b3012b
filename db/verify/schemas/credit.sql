-- Verify mercato:schemas/credit on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'credit')::int;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'credit', 'USAGE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['CREDIT_INVALID_INPUT', 'CREDIT_UNKNOWN_VENDOR', 'CREDIT_UNKNOWN_RETAILER',
                    'CREDIT_VENDOR_CODE_TAKEN', 'CREDIT_VENDOR_STATE', 'CREDIT_VENDOR_NOT_APPROVED',
                    'CREDIT_RISK_BANDS_UNDEFINED', 'CREDIT_UNKNOWN_LINE', 'CREDIT_LINE_EXISTS', 'CREDIT_LINE_STATE',
                    'CREDIT_EXPOSURE_CAP', 'CREDIT_BAND_LIMIT', 'CREDIT_LINE_NOT_SETTLED']) AS c;

ROLLBACK;
