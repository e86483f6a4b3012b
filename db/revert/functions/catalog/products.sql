-- Revert mercato:functions/catalog/products from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER product_status ON catalog.product;
DROP FUNCTION catalog.get_product(bigint, bigint);
DROP FUNCTION catalog.unarchive_product(bigint, bigint);
DROP FUNCTION catalog.archive_product(bigint, bigint);
DROP FUNCTION catalog.publish_product(bigint, bigint);
DROP FUNCTION catalog.set_product_status(bigint, text, bigint);
DROP FUNCTION catalog.update_product(bigint, jsonb, bigint);
DROP FUNCTION catalog.lock_product(bigint, bigint);
DROP FUNCTION catalog.create_product(jsonb, bigint);
DROP FUNCTION catalog.product_status_trg();

COMMIT;
