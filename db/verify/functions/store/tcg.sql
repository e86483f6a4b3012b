-- Verify mercato:functions/store/tcg on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn AND t.tgenabled <> 'D')::int
  FROM (VALUES ('card_validate', 'store.card'::regclass, 'store.card_validate_trg()'::regprocedure),
               ('card_variant_validate', 'store.card_variant'::regclass, 'store.card_variant_validate_trg()'::regprocedure),
               ('variant_store_max_quantity', 'catalog.variant'::regclass, 'store.variant_max_quantity_trg()'::regprocedure))
       AS g(name, rel, fn);
-- internal: no API role executes them
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.card_problem(store.card, text)'::regprocedure,
                    'store.card_variant_problem(store.card_variant)'::regprocedure,
                    'store.card_validate_trg()'::regprocedure, 'store.card_variant_validate_trg()'::regprocedure,
                    'store.variant_max_quantity_trg()'::regprocedure]) AS f;

ROLLBACK;
