-- Revert mercato:schemas/store/purchasing from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('STORE_INVALID_PURCHASE', 'STORE_UNKNOWN_DISTRIBUTOR', 'STORE_DISTRIBUTOR_EXISTS',
    'STORE_DISTRIBUTOR_INACTIVE', 'STORE_UNKNOWN_PURCHASE_ORDER', 'STORE_PO_TRANSITION', 'STORE_PO_NOT_DRAFT',
    'STORE_PO_TOTAL_MISMATCH', 'STORE_PO_BELOW_MINIMUM', 'STORE_PO_OVER_RECEIPT', 'STORE_IMMUTABLE');
DROP TABLE store.purchase_receipt_line;
DROP TABLE store.purchase_receipt;
DROP TABLE store.purchase_order_line;
DROP TABLE store.purchase_order;
DROP TABLE store.distributor_item;
DROP TABLE store.distributor;

COMMIT;
