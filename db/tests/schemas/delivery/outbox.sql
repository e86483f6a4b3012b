-- Tests for schemas/delivery/outbox: the error code a business without a contact on the channel gets.
BEGIN;
SELECT plan(2);

SELECT results_eq($$SELECT module, sqlstate::text FROM core.error WHERE code = 'DELIVERY_NO_CONTACT'$$,
                  $$VALUES ('delivery', 'PT409')$$, 'DELIVERY_NO_CONTACT is catalogued, 409');
SELECT throws_like($$SELECT core.raise('DELIVERY_NO_CONTACT', 'business 1 has no phone contact')$$,
                   'DELIVERY_NO_CONTACT:%', 'and raised with its code');

SELECT * FROM finish();
ROLLBACK;
