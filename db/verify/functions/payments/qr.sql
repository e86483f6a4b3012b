-- Verify mercato:functions/payments/qr on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.crc16_ccitt_false(text)', 'payments.qr_field(text, text)', 'payments.qr_fields(text, text)',
                    'payments.build_ke_qr(boolean, text, text, text, text, text, text, numeric, text)',
                    'payments.parse_ke_qr(text)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.crc16_ccitt_false(text)', 'payments.qr_field(text, text)', 'payments.qr_fields(text, text)',
                    'payments.build_ke_qr(boolean, text, text, text, text, text, text, numeric, text)',
                    'payments.parse_ke_qr(text)']) AS f;

ROLLBACK;
