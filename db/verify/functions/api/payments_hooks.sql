-- Verify mercato:functions/api/payments_hooks on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)'),
               ('mercato_service', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)'),
               ('mercato_sender', 'api.merchant_webhook_request(bigint, uuid)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_anon', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)'),
               ('mercato_sender', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)'),
               ('mercato_anon', 'api.merchant_webhook_request(bigint, uuid)'),
               ('mercato_user', 'api.merchant_webhook_request(bigint, uuid)'),
               ('mercato_service', 'api.merchant_webhook_request(bigint, uuid)')) AS x(r, f);

ROLLBACK;
