-- Tests for schemas/payments/installments: the policy's terms per currency, the CHECKs of plans and installments (a
-- cancellation's fee and refund add up to what was paid; a paid installment names its payment), append-only rows and no
-- API role reading the tables.
BEGIN;
SELECT plan(7);

SELECT is((masterdata.policy_in_force('PAYMENTS_INSTALLMENTS')).body -> 'KES',
          '{"late_fee": "100.00", "cancellation_fee_percent": "5"}'::jsonb, 'the KES terms of the policy');
SELECT is((payments.installment_terms('UGX')).late_fee, 2500::numeric, 'a currency without minor units has its own terms');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('sinst') AS j;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
SELECT tests.put('o', tests.shop_order('sinst-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('sinst-payer');
SELECT tests.put('plan', (api.create_installment_plan(tests.id('o'), 2) ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT throws_ok(format('UPDATE payments.installment_plan SET status = ''CANCELLED'', cancelled_at = now(), cancel_fee = 1,
                         cancel_refund = 1 WHERE id = %s', tests.id('plan')), '23514', NULL,
                 'a cancellation whose fee and refund do not add up to what was paid is refused (CHECK)');
SELECT throws_ok(format('UPDATE payments.installment SET status = ''PAID'' WHERE plan_id = %s AND seq = 1', tests.id('plan')),
                 '23514', NULL, 'a paid installment names its payment (CHECK)');
SELECT throws_like(format('UPDATE payments.installment SET amount = 1 WHERE plan_id = %s AND seq = 1', tests.id('plan')),
                   'PAYMENTS_IMMUTABLE:%', 'an installment''s amount never changes (trigger)');
SELECT throws_like('DELETE FROM payments.installment', 'PAYMENTS_IMMUTABLE:%', 'installments are never deleted');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
                                    unnest(ARRAY['payments.installment_plan', 'payments.installment']) t
            WHERE has_table_privilege(r, t, 'SELECT')), 0, 'no API role reads the tables (the api functions do)');

SELECT * FROM finish();
ROLLBACK;
