-- Verify mercato:functions/api/payments_rails on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.webhook_events(core.name_text, core.name_text, integer)'),
               ('mercato_service', 'api.webhook_events(core.name_text, core.name_text, integer)'),
               ('mercato_user', 'api.rails()'),
               ('mercato_service', 'api.rails()'),
               ('mercato_user', 'api.set_rail(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, integer, integer, core.text_list, core.name_text)'),
               ('mercato_service', 'api.set_rail(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, integer, integer, core.text_list, core.name_text)'),
               ('mercato_user', 'api.add_rail_hmac_secret(core.name_text, core.name_text, boolean)'),
               ('mercato_service', 'api.add_rail_hmac_secret(core.name_text, core.name_text, boolean)'),
               ('mercato_user', 'api.new_rail_path_token(core.name_text)'),
               ('mercato_service', 'api.new_rail_path_token(core.name_text)'),
               ('mercato_service', 'api.ingest_webhook(core.name_text, core.json_doc, core.long_text)'),
               ('mercato_sender', 'api.rail_acknowledge(bigint, uuid, core.long_text)'),
               ('mercato_user', 'api.create_funding_session(bigint, core.name_text, numeric, core.name_text, bigint)'),
               ('mercato_service', 'api.create_funding_session(bigint, core.name_text, numeric, core.name_text, bigint)'),
               ('mercato_user', 'api.funding_session(bigint)'),
               ('mercato_service', 'api.funding_session(bigint)'),
               ('mercato_user', 'api.request_withdrawal(bigint, core.name_text, numeric, core.name_text)'),
               ('mercato_service', 'api.request_withdrawal(bigint, core.name_text, numeric, core.name_text)'),
               ('mercato_user', 'api.withdrawal(bigint)'),
               ('mercato_service', 'api.withdrawal(bigint)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_anon', 'api.webhook_events(core.name_text, core.name_text, integer)'),
               ('mercato_sender', 'api.webhook_events(core.name_text, core.name_text, integer)'),
               ('mercato_anon', 'api.rails()'),
               ('mercato_sender', 'api.rails()'),
               ('mercato_anon', 'api.set_rail(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, integer, integer, core.text_list, core.name_text)'),
               ('mercato_sender', 'api.set_rail(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, integer, integer, core.text_list, core.name_text)'),
               ('mercato_anon', 'api.add_rail_hmac_secret(core.name_text, core.name_text, boolean)'),
               ('mercato_sender', 'api.add_rail_hmac_secret(core.name_text, core.name_text, boolean)'),
               ('mercato_anon', 'api.new_rail_path_token(core.name_text)'),
               ('mercato_sender', 'api.new_rail_path_token(core.name_text)'),
               ('mercato_anon', 'api.ingest_webhook(core.name_text, core.json_doc, core.long_text)'),
               ('mercato_user', 'api.ingest_webhook(core.name_text, core.json_doc, core.long_text)'),
               ('mercato_sender', 'api.ingest_webhook(core.name_text, core.json_doc, core.long_text)'),
               ('mercato_anon', 'api.rail_acknowledge(bigint, uuid, core.long_text)'),
               ('mercato_user', 'api.rail_acknowledge(bigint, uuid, core.long_text)'),
               ('mercato_service', 'api.rail_acknowledge(bigint, uuid, core.long_text)'),
               ('mercato_anon', 'api.create_funding_session(bigint, core.name_text, numeric, core.name_text, bigint)'),
               ('mercato_sender', 'api.create_funding_session(bigint, core.name_text, numeric, core.name_text, bigint)'),
               ('mercato_anon', 'api.funding_session(bigint)'),
               ('mercato_sender', 'api.funding_session(bigint)'),
               ('mercato_anon', 'api.request_withdrawal(bigint, core.name_text, numeric, core.name_text)'),
               ('mercato_sender', 'api.request_withdrawal(bigint, core.name_text, numeric, core.name_text)'),
               ('mercato_anon', 'api.withdrawal(bigint)'),
               ('mercato_sender', 'api.withdrawal(bigint)')) AS x(r, f);

ROLLBACK;
