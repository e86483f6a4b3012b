-- Tests for functions/api/payments_billing: the billing calls as PostgREST makes them (users' JWTs): a merchant
-- registered, an invoice drafted and opened by its staff, read and paid from the wallet by its customer, the merchant's
-- webhook endpoint and deliveries; who may call what.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pab') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT tests.as_user('pab-merchant');
SELECT tests.put('ep', (SELECT endpoint_id FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://pab.example/h',
                                                                            '{invoice.opened,invoice.paid}')));
SELECT tests.as_user('pab-clerk');
SELECT tests.put('i', (api.create_invoice(pg_temp.u('merchant'), 'KES', current_date + 14,
                                          '[{"description": "Consulting", "quantity": "2", "unit_price": "150.00", "tax_rate": "16"}]',
                                          pg_temp.u('payer')) ->> 'id')::bigint);
SELECT is(api.open_invoice(tests.id('i')) ->> 'total', '348.00', 'drafted and opened by the merchant''s staff');
SELECT is((SELECT (number, status, amount_due)::text FROM api.list_invoices(pg_temp.u('merchant'))), '(1,OPEN,348.00)',
          'listed for the merchant');
SELECT tests.as_user('pab-payer');
SELECT is((SELECT (merchant_name, number, amount_due)::text FROM api.my_invoices()), '("pab shop",1,348.00)',
          'the customer sees the invoices addressed to it');
SELECT is(api.get_invoice(tests.id('i')) -> 'items' -> 0 ->> 'tax_amount', '48.00', 'and reads one, with its items');
SELECT tests.put('pw', api.open_wallet('KES'));
SELECT tests.as_owner();
SELECT tests.fund_wallet(tests.id('pw'), 500, 'test:pab:fund');
SELECT tests.as_user('pab-payer');
SELECT is(api.pay_invoice_from_wallet(tests.id('i'), tests.id('pw'), 348, 'pab-1') -> 'invoice' ->> 'status', 'PAID',
          'paid from the customer''s wallet');
SELECT tests.as_user('pab-merchant');
SELECT is((SELECT array_agg(event_type || ':' || state ORDER BY event_id)
             FROM api.merchant_deliveries(pg_temp.u('merchant')) WHERE endpoint_id = tests.id('ep')),
          ARRAY['invoice.opened:PENDING', 'invoice.paid:PENDING'], 'the endpoint gets the types it asked for');
SELECT tests.as_owner();
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.get_invoice(bigint)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.create_invoice(bigint, core.name_text, core.finite_date, core.json_doc, bigint, core.name_text, core.name_text, core.long_text, numeric)', 'EXECUTE'),
          'not anonymously');
SELECT ok(NOT has_function_privilege('mercato_service', 'api.my_invoices(core.name_text, integer)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_service', 'api.register_merchant(core.name_text, core.name_text)', 'EXECUTE'),
          'a user''s own calls are not the back office''s');
SELECT ok(NOT has_function_privilege('mercato_user', 'payments.apply_invoice_payment(bigint, numeric, text, bigint)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_user', 'payments.emit_merchant_event(bigint, text, bigint, text, jsonb)', 'EXECUTE'),
          'the hooks for intents and other use cases are internal');

SELECT * FROM finish();
ROLLBACK;
