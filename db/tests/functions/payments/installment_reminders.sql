-- Tests for functions/payments/installment_reminders: the buyer of a DUE installment due within the policy's
-- reminder_days is reminded once through the outbox (SMS, else e-mail; none without a contact), the reminder recorded
-- on the installment in the same transaction; later or past-due installments are not reminded; the job registered.
BEGIN;
SELECT plan(9);

SELECT is(payments.installment_reminder_days(), 3, 'the policy reminds 3 days ahead');
SELECT is((SELECT function_name FROM jobs.job WHERE name = 'payments.installment_reminders'),
          'payments.remind_due_installments(integer)', 'the job is registered');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('prm') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
UPDATE identity.user_account SET phone = '+254700100200' WHERE id = pg_temp.u('payer');
UPDATE identity.user_account SET phone = NULL, email = NULL WHERE id = pg_temp.u('buyer2');

-- the payer's plan: the first due in 2 days (within 3), the second in 32; buyer2's first due in 2 days, no contact;
-- a third plan due now (past: the auto-debit's business, not a reminder's)
SELECT tests.put('o1', tests.shop_order('prm-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.put('o2', tests.shop_order('prm-buyer2', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.put('o3', tests.shop_order('prm-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.as_user('prm-payer');
SELECT tests.put('p1', (api.create_installment_plan(tests.id('o1'), 2, 30, now() + interval '2 days') ->> 'id')::bigint);
SELECT tests.put('p3', (api.create_installment_plan(tests.id('o3'), 2, 30) ->> 'id')::bigint);
SELECT tests.as_user('prm-buyer2');
SELECT tests.put('p2', (api.create_installment_plan(tests.id('o2'), 2, 30, now() + interval '2 days') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT tests.put('i1', (SELECT id FROM payments.installment WHERE plan_id = tests.id('p1') AND seq = 1));

SELECT is(payments.remind_due_installments(), 1, 'one message: the payer''s first installment (buyer2 has no contact)');
SELECT is((SELECT (channel, recipient, template, params ->> 'installment_id', params ->> 'amount')::text
             FROM outbox.message WHERE dedupe_key = format('payments.installment_reminder:%s', tests.id('i1'))),
          format('(SMS,+254700100200,payments.installment_reminder,%s,10.00)', tests.id('i1')),
          'an SMS to the buyer''s phone with the installment');
SELECT is((SELECT array_agg(p.id::text || ':' || i.seq ORDER BY p.id, i.seq) FROM payments.installment i
             JOIN payments.installment_plan p ON p.id = i.plan_id
            WHERE p.id IN (tests.id('p1'), tests.id('p2'), tests.id('p3')) AND i.reminded_at IS NOT NULL),
          ARRAY[tests.id('p1') || ':1', tests.id('p2') || ':1'],
          'recorded on the installments within the window (buyer2''s too, with nothing to send); not later or past-due ones');
SELECT is(payments.remind_due_installments(), 0, 'a second run reminds nobody again');
SELECT is((SELECT count(*)::int FROM outbox.message WHERE template = 'payments.installment_reminder'
              AND params ->> 'plan_id' IN (tests.id('p1')::text, tests.id('p2')::text, tests.id('p3')::text)), 1,
          'still one message');
SELECT is(tests.error_of(format('UPDATE payments.installment SET reminded_at = clock_timestamp() WHERE id = %s', tests.id('i1'))),
          format('PT409 PAYMENTS_PLAN_STATE installment %s: its buyer is reminded once', tests.id('i1')),
          'a reminder is recorded once, whoever writes');
SELECT is(tests.error_of(format('UPDATE payments.installment SET late_fee = 1 WHERE id = %s', tests.id('i1'))),
          format('PT409 PAYMENTS_PLAN_STATE installment %s: DUE -> DUE is not allowed', tests.id('i1')),
          'an open installment that does not move changes nothing else');

SELECT * FROM finish();
ROLLBACK;
