-- Tests for functions/payments/intent_events: an intent's state changes and its refund become merchant events,
-- numbered per intent, and a merchant endpoint gets one signed outbox message per event.
BEGIN;
SELECT plan(4);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pie') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.fund_wallet(tests.id('pw'), 100, 'test:pie:fund');
SELECT tests.as_user('pie-merchant');
SELECT api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://pie.example/hooks', ARRAY['*']);
SELECT tests.as_user('pie-payer');
SELECT tests.put('pi', (api.create_payment_intent(pg_temp.u('merchant'), 40, 'KES',
    p_sources => format('[{"wallet_id": %s, "amount": "40.00"}]', tests.id('pw'))::jsonb) ->> 'id')::bigint);
SELECT api.confirm_payment_intent(tests.id('pi'));
SELECT tests.as_user('pie-merchant');
SELECT api.refund_payment_intent(tests.id('pi'), 5);
SELECT tests.as_owner();

SELECT is((SELECT array_agg(event_type ORDER BY sequence) FROM payments.merchant_event
            WHERE object_type = 'payment_intent' AND object_id = tests.id('pi')),
          ARRAY['payment_intent.requires_payment_method', 'payment_intent.requires_confirmation', 'payment_intent.processing', 'payment_intent.succeeded',
                'payment_intent.refunded'], 'each state change and the refund is an event, in order');
SELECT is((SELECT array_agg(sequence ORDER BY sequence) FROM payments.merchant_event
            WHERE object_type = 'payment_intent' AND object_id = tests.id('pi')), ARRAY[1, 2, 3, 4, 5]::bigint[],
          'numbered 1..n per intent');
SELECT is((SELECT count(*)::int FROM payments.merchant_event e
            WHERE e.object_type = 'payment_intent' AND e.object_id = tests.id('pi') AND e.organization_id = pg_temp.u('merchant')),
          5, 'all of them the merchant''s');
SELECT is((SELECT count(*)::int FROM outbox.message m WHERE m.channel = 'WEBHOOK'
            AND m.params ->> 'body' LIKE '%"payment_intent"%'), 5, 'one outbox message per event to the endpoint');

SELECT * FROM finish();
ROLLBACK;
