-- Revert mercato:functions/catalog/channels from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION catalog.product_by_channel(text, text, bigint);
DROP FUNCTION catalog.link_channel(bigint, text, text, bigint);

COMMIT;
