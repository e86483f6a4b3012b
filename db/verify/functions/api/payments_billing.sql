-- Verify mercato:functions/api/payments_billing on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.register_merchant(core.name_text, core.name_text)'),
               ('mercato_user', 'api.my_invoices(core.name_text, integer)'),
               ('mercato_user', 'api.create_invoice(bigint, core.name_text, core.finite_date, core.json_doc, bigint, core.name_text, core.name_text, core.long_text, numeric)'),
               ('mercato_user', 'api.add_invoice_items(bigint, core.json_doc)'),
               ('mercato_user', 'api.remove_invoice_item(bigint, integer)'),
               ('mercato_user', 'api.open_invoice(bigint)'),
               ('mercato_user', 'api.void_invoice(bigint)'),
               ('mercato_user', 'api.mark_invoice_uncollectible(bigint)'),
               ('mercato_user', 'api.pay_invoice_from_wallet(bigint, bigint, numeric, core.name_text)'),
               ('mercato_user', 'api.get_invoice(bigint)'),
               ('mercato_user', 'api.list_invoices(bigint, core.name_text, boolean, bigint, integer)'),
               ('mercato_user', 'api.create_webhook_endpoint(bigint, core.url_text, core.text_list)'),
               ('mercato_user', 'api.update_webhook_endpoint(bigint, core.url_text, core.text_list, core.name_text)'),
               ('mercato_user', 'api.rotate_webhook_secret(bigint, integer)'),
               ('mercato_user', 'api.webhook_endpoints(bigint)'),
               ('mercato_user', 'api.merchant_deliveries(bigint, core.name_text, bigint, core.name_text, bigint, integer)'),
               ('mercato_user', 'api.replay_merchant_event(bigint, bigint)'),
               ('mercato_service', 'api.create_invoice(bigint, core.name_text, core.finite_date, core.json_doc, bigint, core.name_text, core.name_text, core.long_text, numeric)'),
               ('mercato_service', 'api.add_invoice_items(bigint, core.json_doc)'),
               ('mercato_service', 'api.remove_invoice_item(bigint, integer)'),
               ('mercato_service', 'api.open_invoice(bigint)'),
               ('mercato_service', 'api.void_invoice(bigint)'),
               ('mercato_service', 'api.mark_invoice_uncollectible(bigint)'),
               ('mercato_service', 'api.pay_invoice_from_wallet(bigint, bigint, numeric, core.name_text)'),
               ('mercato_service', 'api.get_invoice(bigint)'),
               ('mercato_service', 'api.list_invoices(bigint, core.name_text, boolean, bigint, integer)'),
               ('mercato_service', 'api.create_webhook_endpoint(bigint, core.url_text, core.text_list)'),
               ('mercato_service', 'api.update_webhook_endpoint(bigint, core.url_text, core.text_list, core.name_text)'),
               ('mercato_service', 'api.rotate_webhook_secret(bigint, integer)'),
               ('mercato_service', 'api.webhook_endpoints(bigint)'),
               ('mercato_service', 'api.merchant_deliveries(bigint, core.name_text, bigint, core.name_text, bigint, integer)'),
               ('mercato_service', 'api.replay_merchant_event(bigint, bigint)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_service', 'api.register_merchant(core.name_text, core.name_text)'),
               ('mercato_service', 'api.my_invoices(core.name_text, integer)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.register_merchant(core.name_text, core.name_text)',
                    'api.my_invoices(core.name_text, integer)',
                    'api.create_invoice(bigint, core.name_text, core.finite_date, core.json_doc, bigint, core.name_text, core.name_text, core.long_text, numeric)',
                    'api.add_invoice_items(bigint, core.json_doc)',
                    'api.remove_invoice_item(bigint, integer)',
                    'api.open_invoice(bigint)',
                    'api.void_invoice(bigint)',
                    'api.mark_invoice_uncollectible(bigint)',
                    'api.pay_invoice_from_wallet(bigint, bigint, numeric, core.name_text)',
                    'api.get_invoice(bigint)',
                    'api.list_invoices(bigint, core.name_text, boolean, bigint, integer)',
                    'api.create_webhook_endpoint(bigint, core.url_text, core.text_list)',
                    'api.update_webhook_endpoint(bigint, core.url_text, core.text_list, core.name_text)',
                    'api.rotate_webhook_secret(bigint, integer)',
                    'api.webhook_endpoints(bigint)',
                    'api.merchant_deliveries(bigint, core.name_text, bigint, core.name_text, bigint, integer)',
                    'api.replay_merchant_event(bigint, bigint)']) AS f;

ROLLBACK;
