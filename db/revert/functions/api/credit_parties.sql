-- Revert mercato:functions/api/credit_parties from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.credit_risk_band(integer, core.name_text);
DROP FUNCTION api.credit_retailers();
DROP FUNCTION api.credit_vendors(core.name_text);
DROP FUNCTION api.set_retailer_score(bigint, integer, core.long_text, core.json_doc);
DROP FUNCTION api.reject_vendor(bigint, core.long_text);
DROP FUNCTION api.approve_vendor(bigint, numeric);
DROP FUNCTION api.register_retailer(core.name_text, core.name_text);
DROP FUNCTION api.register_vendor(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text);

COMMIT;
