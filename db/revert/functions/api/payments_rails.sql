-- Revert mercato:functions/api/payments_rails from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.withdrawal(bigint);
DROP FUNCTION api.request_withdrawal(bigint, core.name_text, numeric, core.name_text);
DROP FUNCTION api.funding_session(bigint);
DROP FUNCTION api.webhook_events(core.name_text, core.name_text, integer);
DROP FUNCTION api.create_funding_session(bigint, core.name_text, numeric, core.name_text, bigint);
DROP FUNCTION api.rail_acknowledge(bigint, uuid, core.long_text);
DROP FUNCTION api.ingest_webhook(core.name_text, core.json_doc, core.long_text);
DROP FUNCTION api.new_rail_path_token(core.name_text);
DROP FUNCTION api.add_rail_hmac_secret(core.name_text, core.name_text, boolean);
DROP FUNCTION api.set_rail(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, integer, integer, core.text_list, core.name_text);
DROP FUNCTION api.rails();

COMMIT;
