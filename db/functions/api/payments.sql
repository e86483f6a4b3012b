-- Deploy mercato:functions/api/payments to pg
-- The HTTP API of the payments product (issue 19). First use case: KE-QR payloads (functions/payments/qr).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- parsing for any signed-in caller (a payer's app scanning a code); building for the back office until merchants
-- arrive with payment intents
CREATE OR REPLACE FUNCTION api.parse_ke_qr(p_payload core.long_text)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN payments.parse_ke_qr(p_payload);
SELECT core.wrap('api.parse_ke_qr(core.long_text)', 'payments.parse_ke_qr(text)',
                 'Any signed-in user; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.build_ke_qr(p_dynamic boolean, p_template core.name_text, p_provider_id core.name_text,
                                           p_merchant_account core.name_text, p_mcc core.name_text,
                                           p_name core.name_text, p_city core.name_text, p_amount numeric DEFAULT NULL,
                                           p_reference core.name_text DEFAULT NULL)
RETURNS text
LANGUAGE sql
IMMUTABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN payments.build_ke_qr(p_dynamic, p_template, p_provider_id, p_merchant_account, p_mcc, p_name, p_city, p_amount,
                            p_reference);
SELECT core.wrap('api.build_ke_qr(boolean, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text)',
                 'payments.build_ke_qr(boolean, text, text, text, text, text, text, numeric, text)',
                 'The back office.', 'mercato_service');

COMMIT;
