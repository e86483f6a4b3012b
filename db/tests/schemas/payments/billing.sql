-- Tests for schemas/payments/billing: what the tables refuse by themselves (an invoice starts DRAFT, a line's amount
-- and tax are quantity x price and its tax rounded to the currency, payments and events are append-only), the signing
-- secrets declared and unreadable, and no API role's privilege on any billing table.
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pbs') AS j;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;

SELECT throws_like(format($$INSERT INTO payments.invoice (organization_id, currency, minor_units, customer_email, due_date,
                                  status, number, opened_at) VALUES (%s, 'KES', 2, 'a@b.example', current_date, 'OPEN', 1, now())$$,
                          pg_temp.u('merchant')), 'PAYMENTS_INVOICE_STATE:%', 'an invoice starts DRAFT');
SELECT throws_ok(format($$INSERT INTO payments.invoice (organization_id, currency, minor_units, due_date)
                          VALUES (%s, 'KES', 2, current_date)$$, pg_temp.u('merchant')), '23514', NULL,
                 'an invoice names a customer (user or e-mail)');
INSERT INTO payments.invoice (organization_id, currency, minor_units, customer_email, due_date)
VALUES (pg_temp.u('merchant'), 'KES', 0, 'a@b.example', current_date);
SELECT tests.put('i', (SELECT max(id) FROM payments.invoice));
SELECT is((SELECT minor_units FROM payments.invoice WHERE id = tests.id('i')), 2::smallint,
          'the currency''s minor units are copied by the trigger, whatever the writer says');
SELECT throws_ok(format($$INSERT INTO payments.invoice_item (invoice_id, minor_units, position, description, quantity,
                           unit_price, tax_rate, amount, tax_amount) VALUES (%s, 2, 1, 'x', 1, 0.05, 10, 0.05, 0.00)$$,
                        tests.id('i')), '23514', NULL, 'a tax of 0.005 rounded down is refused (half away from zero: 0.01)');
SELECT lives_ok(format($$INSERT INTO payments.invoice_item (invoice_id, minor_units, position, description, quantity,
                          unit_price, tax_rate, amount, tax_amount) VALUES (%s, 2, 1, 'x', 1, 0.05, 10, 0.05, 0.01)$$,
                       tests.id('i')), 'the right amounts are accepted');
SELECT throws_ok($$INSERT INTO payments.webhook_endpoint (organization_id, url, event_types)
                   VALUES (1, 'https://x.example', '{"invoice paid"}')$$, '23514', NULL, 'event types are checked');
SELECT throws_like($$UPDATE payments.merchant_event SET payload = '{}'$$ || ' WHERE true', 'PAYMENTS_IMMUTABLE:%',
                   'merchant events are append-only') FROM (SELECT payments.emit_merchant_event(pg_temp.u('merchant'),
                                                                  'invoice', 1, 'invoice.created', '{}')) x;
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'payments.webhook_secret'::regclass)
          AND EXISTS (SELECT 1 FROM core.secret WHERE table_name = 'webhook_secret' AND column_name = 'secret'),
          'the signing secrets: row-level security on, declared SECRET');
SELECT is((SELECT count(*) FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) r,
                   unnest(ARRAY['payments.invoice', 'payments.invoice_item', 'payments.invoice_payment',
                                'payments.webhook_endpoint', 'payments.webhook_secret', 'payments.merchant_event',
                                'payments.webhook_delivery']) t,
                   unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
            WHERE has_table_privilege(r, t, p)), 0::bigint, 'no API role (nor the sender) holds a privilege on them');
SELECT is((SELECT count(*) FROM core.error WHERE code IN ('PAYMENTS_UNKNOWN_MERCHANT', 'PAYMENTS_UNKNOWN_INVOICE',
           'PAYMENTS_INVOICE_STATE', 'PAYMENTS_INVOICE_TOTALS_MISMATCH', 'PAYMENTS_INVOICE_OVERPAID',
           'PAYMENTS_REFERENCE_CONFLICT', 'PAYMENTS_UNKNOWN_ENDPOINT', 'PAYMENTS_UNKNOWN_EVENT')), 8::bigint,
          'the billing error codes are registered');

SELECT * FROM finish();
ROLLBACK;
