-- Tests for schemas/payments/foundation: the wallet registry, KYC levels, fee rules and fee charges keep their rules
-- whoever writes (the owner included), and no API role reads or writes them directly.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pf') AS j;
SELECT has_table('payments', t, 'table payments.' || t) FROM unnest(ARRAY['wallet', 'kyc', 'fee_rule', 'fee_charge']) AS t;
SELECT payments.wallet_for('USER', (SELECT (j ->> 'payer')::bigint FROM w), 'KES');
SELECT throws_like($$UPDATE payments.wallet SET currency = 'USD'$$, 'PAYMENTS_IMMUTABLE:%', 'a wallet row never changes');
SELECT throws_like($$TRUNCATE payments.fee_charge$$, 'PAYMENTS_IMMUTABLE:%', 'fee charges are never truncated');
SELECT throws_like($$INSERT INTO payments.fee_rule (operation, currency, percent, effective_from)
                     VALUES ('PAYMENT', 'KES', 101, now())$$, '%fee_rule_percent_check%', 'a fee above 100 % is refused');
SELECT throws_like($$INSERT INTO payments.kyc (level) VALUES (1)$$, '%kyc_owner_check%', 'a KYC level belongs to exactly one owner');
SELECT tests.as_user('pf-payer');
SELECT throws_like($$SELECT * FROM payments.wallet$$, '%permission denied%', 'API roles do not read the registry directly');
SELECT tests.as_owner();
SELECT * FROM finish();
ROLLBACK;
