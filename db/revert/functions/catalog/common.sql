-- Revert mercato:functions/catalog/common from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION catalog.product_doc(bigint);
DROP FUNCTION catalog.variant_doc(catalog.variant);
DROP FUNCTION catalog.refuse_constraint(text, text, text, text, text);
DROP FUNCTION catalog.doc_tags(jsonb, text);
DROP FUNCTION catalog.doc_object(jsonb, text);
DROP FUNCTION catalog.doc_bool(jsonb, text);
DROP FUNCTION catalog.doc_int(jsonb, text);
DROP FUNCTION catalog.doc_numeric(jsonb, text);
DROP FUNCTION catalog.doc_text(jsonb, text);
DROP FUNCTION catalog.doc_keys(jsonb, text[]);
DROP FUNCTION catalog.read_tenant(bigint);
DROP FUNCTION catalog.write_tenant(bigint);
DROP FUNCTION catalog.resolve_tenant(bigint);

COMMIT;
