-- Revert mercato:schemas/payments/escrow from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('PAYMENTS_UNKNOWN_SHOP', 'PAYMENTS_SHOP_EXISTS', 'PAYMENTS_UNKNOWN_ESCROW',
                                      'PAYMENTS_ESCROW_STATE', 'PAYMENTS_ESCROW_NOT_FUNDED');
ALTER TABLE masterdata.policy_version DISABLE TRIGGER policy_version_guard;
DELETE FROM masterdata.policy_version WHERE policy_code = 'PAYMENTS_ESCROW';
ALTER TABLE masterdata.policy_version ENABLE TRIGGER policy_version_guard;
DROP TABLE payments.goods_escrow;
DROP TABLE payments.shop_customer;
DROP TABLE payments.shop;
DELETE FROM orders.payment_method WHERE code = 'WALLET';

COMMIT;
