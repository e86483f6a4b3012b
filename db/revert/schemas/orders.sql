-- Revert mercato:schemas/orders from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE module = 'orders';
DELETE FROM identity.role_permission
 WHERE permission_id = (SELECT id FROM identity.permission WHERE code = 'orders.manage');
DELETE FROM identity.permission WHERE code = 'orders.manage';
DROP TABLE orders.refund_line, orders.payment, orders.line, orders.sales_order, orders.tax_rate, orders.customer,
           orders.payment_method, orders.source;
DROP SCHEMA orders;

COMMIT;
