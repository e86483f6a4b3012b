-- Revert mercato:functions/api/payments_billing from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.replay_merchant_event(bigint, bigint);
DROP FUNCTION api.merchant_deliveries(bigint, core.name_text, bigint, core.name_text, bigint, integer);
DROP FUNCTION api.webhook_endpoints(bigint);
DROP FUNCTION api.rotate_webhook_secret(bigint, integer);
DROP FUNCTION api.update_webhook_endpoint(bigint, core.url_text, core.text_list, core.name_text);
DROP FUNCTION api.create_webhook_endpoint(bigint, core.url_text, core.text_list);
DROP FUNCTION api.my_invoices(core.name_text, integer);
DROP FUNCTION api.list_invoices(bigint, core.name_text, boolean, bigint, integer);
DROP FUNCTION api.get_invoice(bigint);
DROP FUNCTION api.pay_invoice_from_wallet(bigint, bigint, numeric, core.name_text);
DROP FUNCTION api.mark_invoice_uncollectible(bigint);
DROP FUNCTION api.void_invoice(bigint);
DROP FUNCTION api.open_invoice(bigint);
DROP FUNCTION api.remove_invoice_item(bigint, integer);
DROP FUNCTION api.add_invoice_items(bigint, core.json_doc);
DROP FUNCTION api.create_invoice(bigint, core.name_text, core.finite_date, core.json_doc, bigint, core.name_text, core.name_text, core.long_text, numeric);
DROP FUNCTION api.register_merchant(core.name_text, core.name_text);

COMMIT;
