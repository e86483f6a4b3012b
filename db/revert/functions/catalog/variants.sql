-- Revert mercato:functions/catalog/variants from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION catalog.get_variant(bigint, bigint);
DROP FUNCTION catalog.update_variant(bigint, jsonb, bigint);
DROP FUNCTION catalog.add_variant(bigint, jsonb, bigint);
DROP FUNCTION catalog.variant_fields();

COMMIT;
