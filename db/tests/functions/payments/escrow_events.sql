-- Tests for functions/payments/escrow_events: goods escrow and installment changes are merchant events (numbered per
-- object, in the writer's transaction): held, released, disputed, resolved, refunded; plan created, completed,
-- cancelled; installment late, paid, cancelled — each with the object and its previous status.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE w AS SELECT tests.escrow_world('pee') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
-- the events of one object, in sequence order: type(previous status)
CREATE FUNCTION pg_temp.events(p_type text, p_id bigint) RETURNS text LANGUAGE sql AS $f$
    SELECT string_agg(format('%s:%s(%s)', sequence, event_type, coalesce(payload ->> 'previous_status', '-')), ' ' ORDER BY sequence)
      FROM payments.merchant_event WHERE object_type = p_type AND object_id = p_id AND organization_id = pg_temp.u('merchant')
$f$;
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 500);

-- released on delivery
SELECT tests.put('o1', tests.shop_order('pee-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.as_user('pee-payer');
SELECT tests.put('e1', (api.pay_shop_order(tests.id('o1'), 5) ->> 'escrow_id')::bigint);
SELECT api.pay_shop_order(tests.id('o1'));
SELECT api.confirm_delivery(tests.id('e1'));
SELECT tests.as_owner();
SELECT is(pg_temp.events('goods_escrow', tests.id('e1')),
          '1:goods_escrow.held(HELD) 2:goods_escrow.held(HELD) 3:goods_escrow.released(HELD)',
          'each payment held is an event, then the release');
SELECT is((SELECT (payload -> 'goods_escrow' ->> 'status', payload ->> 'amount_added', payload -> 'goods_escrow' ->> 'amount_held')::text
             FROM payments.merchant_event WHERE object_type = 'goods_escrow' AND object_id = tests.id('e1') AND sequence = 2),
          '(HELD,15.00,20.00)', 'a held event carries the escrow and the amount added');

-- disputed, then resolved by an admin
SELECT tests.put('o2', tests.shop_order('pee-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('pee-payer');
SELECT tests.put('e2', (api.pay_shop_order(tests.id('o2')) ->> 'escrow_id')::bigint);
SELECT api.open_dispute(tests.id('e2'), 'never arrived');
SELECT tests.as_user('pee-admin');
SELECT api.resolve_dispute(tests.id('e2'), 4, 'half and half');
SELECT tests.as_owner();
SELECT is(pg_temp.events('goods_escrow', tests.id('e2')),
          '1:goods_escrow.held(HELD) 2:goods_escrow.disputed(HELD) 3:goods_escrow.resolved(DISPUTED)',
          'a dispute and its resolution are events');

-- refunded by the merchant
SELECT tests.put('o3', tests.shop_order('pee-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('pee-payer');
SELECT tests.put('e3', (api.pay_shop_order(tests.id('o3')) ->> 'escrow_id')::bigint);
SELECT tests.as_user('pee-merchant');
SELECT api.refund_escrow(tests.id('e3'), 'out of stock');
SELECT tests.as_owner();
SELECT is(pg_temp.events('goods_escrow', tests.id('e3')), '1:goods_escrow.held(HELD) 2:goods_escrow.refunded(HELD)',
          'a refund is an event');

-- a plan: created, the first LATE then paid, the rest paid: completed
SELECT tests.put('o4', tests.shop_order('pee-buyer2', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.as_user('pee-buyer2');
SELECT tests.put('p4', (api.create_installment_plan(tests.id('o4'), 2, 30) ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT tests.put('i41', (SELECT id FROM payments.installment WHERE plan_id = tests.id('p4') AND seq = 1));
SELECT tests.put('i42', (SELECT id FROM payments.installment WHERE plan_id = tests.id('p4') AND seq = 2));
SELECT payments.collect_due_installments();
SELECT tests.fund_user_wallet(pg_temp.u('buyer2'), 100);
SELECT payments.collect_due_installments();
SELECT tests.as_user('pee-buyer2');
SELECT api.pay_installment(tests.id('i42'));
SELECT tests.as_owner();
SELECT is(pg_temp.events('installment', tests.id('i41')), '1:installment.late(DUE) 2:installment.paid(LATE)',
          'an installment going LATE and its payment are events');
SELECT is(pg_temp.events('installment_plan', tests.id('p4')), '1:installment_plan.created(-) 2:installment_plan.completed(ACTIVE)',
          'a plan''s creation and completion are events');
SELECT is((SELECT payload -> 'installment_plan' ->> 'amount_paid' FROM payments.merchant_event
            WHERE object_type = 'installment_plan' AND object_id = tests.id('p4') AND sequence = 2),
          '20.00', 'the completed event carries the plan as completed');

-- a cancelled plan
SELECT tests.put('o5', tests.shop_order('pee-buyer2', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.as_user('pee-buyer2');
SELECT tests.put('p5', (api.create_installment_plan(tests.id('o5'), 2, 30, now() + interval '1 day') ->> 'id')::bigint);
SELECT api.cancel_installment_plan(tests.id('p5'));
SELECT tests.as_owner();
SELECT is(pg_temp.events('installment_plan', tests.id('p5')), '1:installment_plan.created(-) 2:installment_plan.cancelled(ACTIVE)',
          'a cancellation is an event');
SELECT is((SELECT count(*)::int FROM payments.merchant_event e JOIN payments.installment i ON i.id = e.object_id
            WHERE e.object_type = 'installment' AND i.plan_id = tests.id('p5') AND e.event_type = 'installment.cancelled'),
          2, 'its open installments are cancelled, one event each');

SELECT * FROM finish();
ROLLBACK;
