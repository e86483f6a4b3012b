-- Revert mercato:functions/api/outbox from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.outbox_retry(bigint);
DROP FUNCTION api.outbox_list(core.name_text, core.name_text, integer);
DROP FUNCTION api.outbox_report_failed(bigint, uuid, core.long_text, boolean);
DROP FUNCTION api.outbox_report_sent(bigint, uuid);
DROP FUNCTION api.outbox_claim(core.name_text, integer, integer, core.name_text);
REVOKE EXECUTE ON FUNCTION core.check_text_size(text, integer, text) FROM mercato_sender;
REVOKE USAGE ON SCHEMA api FROM mercato_sender;

COMMIT;
