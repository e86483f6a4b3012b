-- Deploy mercato:functions/store/tcg to pg
-- The TCG rules of issue 18, enforced whoever writes: BEFORE INSERT OR UPDATE triggers on store.card and
-- store.card_variant check each attribute and refuse with STORE_INVALID_CARD_ATTRIBUTE and a detail "field: reason"
-- (e.g. "grade: PSA has no grade 9.25") before PostgreSQL checks a constraint, so a caller never meets a bare CHECK
-- failure; the constraints of schemas/store stay as backstops. The same triggers refuse a second ungraded unit or a
-- second slab of one certificate (STORE_CARD_UNIT_EXISTS, 409; the unique indexes decide a race, and the writing
-- functions turn their violation into the same code). A trigger on catalog.variant keeps a graded slab's variant at
-- max_quantity 1, so that inventory never holds two of it across locations and channels.
-- The reason texts are built by store.card_problem and store.card_variant_problem (pure checks, also callable by a
-- client-side form through tests); docs/store.md lists every rule with its test.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.card_problem(p_card store.card, p_old_game text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bad text;
BEGIN
    IF p_card.game IS NULL THEN
        RETURN 'game: required';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM store.game g WHERE g.code = p_card.game) THEN
        RETURN format('game: unknown game %s (%s)', p_card.game,
                      (SELECT string_agg(g.code, ', ' ORDER BY g.sort_order) FROM store.game g));
    END IF;
    IF p_old_game IS NOT NULL AND p_old_game <> p_card.game
       AND EXISTS (SELECT 1 FROM store.card_variant v WHERE v.product_id = p_card.product_id) THEN
        RETURN format('game: the card has variants, its game stays %s', p_old_game);
    END IF;
    IF p_card.set_code IS NULL THEN
        RETURN 'set_code: required';
    END IF;
    IF p_card.set_code !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$' THEN
        RETURN format('set_code: 1 to 16 letters, digits, - or _, not %s', left(p_card.set_code, 40));
    END IF;
    IF p_card.set_name IS NOT NULL AND length(btrim(p_card.set_name)) NOT BETWEEN 1 AND 200 THEN
        RETURN 'set_name: 1 to 200 characters';
    END IF;
    IF p_card.collector_number IS NOT NULL AND p_card.collector_number !~ '^[^\s].{0,30}[^\s]$|^[^\s]$' THEN
        RETURN 'collector_number: 1 to 32 characters, no space at either end';
    END IF;
    IF p_card.rarity IS NOT NULL AND length(btrim(p_card.rarity)) NOT BETWEEN 1 AND 64 THEN
        RETURN 'rarity: 1 to 64 characters';
    END IF;
    IF p_card.cmc IS NOT NULL THEN
        IF p_card.game <> 'MTG' THEN
            RETURN format('cmc: only MTG cards have a mana value, not %s cards', p_card.game);
        END IF;
        IF p_card.cmc < 0 THEN
            RETURN format('cmc: must be 0 or more, not %s', p_card.cmc);
        END IF;
        IF p_card.cmc > 1000000 THEN
            RETURN format('cmc: at most 1000000, not %s', p_card.cmc);
        END IF;
    END IF;
    IF p_card.color_identity IS NOT NULL THEN
        IF p_card.game <> 'MTG' THEN
            RETURN format('color_identity: only MTG cards have a color identity, not %s cards', p_card.game);
        END IF;
        SELECT string_agg(coalesce(c, 'null'), ', ') INTO v_bad
          FROM unnest(p_card.color_identity) c WHERE c IS NULL OR c NOT IN ('W', 'U', 'B', 'R', 'G');
        IF v_bad IS NOT NULL THEN
            RETURN format('color_identity: %s is not a color (W, U, B, R, G)', v_bad);
        END IF;
    END IF;
    IF p_card.legalities IS NULL OR jsonb_typeof(p_card.legalities) <> 'object' THEN
        RETURN 'legalities: a JSON object of format -> legal, not_legal, restricted or banned';
    END IF;
    SELECT string_agg(format('%s', e.key), ', ') INTO v_bad
      FROM jsonb_each(p_card.legalities) e WHERE e.key !~ '^[a-z][a-z0-9_]{0,31}$';
    IF v_bad IS NOT NULL THEN
        RETURN format('legalities: a format is 1 to 32 lower-case letters, digits or _, not %s', left(v_bad, 80));
    END IF;
    SELECT string_agg(format('%s is %s', e.key, e.value::text), ', ') INTO v_bad
      FROM jsonb_each(p_card.legalities) e
     WHERE jsonb_typeof(e.value) <> 'string' OR e.value #>> '{}' NOT IN ('legal', 'not_legal', 'restricted', 'banned');
    IF v_bad IS NOT NULL THEN
        RETURN format('legalities: %s; a format is legal, not_legal, restricted or banned', left(v_bad, 120));
    END IF;
    IF p_card.metadata IS NULL OR jsonb_typeof(p_card.metadata) <> 'object' THEN
        RETURN 'metadata: a JSON object';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION store.card_problem(store.card, text) IS
'What is wrong with a store card''s TCG attributes, as "field: reason", or NULL: game known (and unchanged once the card
has variants: p_old_game), set code, collector number, rarity, cmc >= 0 and color identity within {W,U,B,R,G} (Magic
only), legalities an object of format -> legal / not_legal / restricted / banned. Internal (the validation trigger).';

CREATE OR REPLACE FUNCTION store.card_validate_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_problem text;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.product_id <> OLD.product_id OR NEW.tenant_id <> OLD.tenant_id) THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE', 'product_id: a card''s product and tenant never change');
    END IF;
    IF TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM catalog.product p WHERE p.id = NEW.product_id AND p.tenant_id = NEW.tenant_id) THEN
        PERFORM core.raise('STORE_UNKNOWN_PRODUCT', format('product_id: product %s in tenant %s', NEW.product_id, NEW.tenant_id));
    END IF;
    -- color identity in WUBRG order, each color once (an empty array: colorless)
    IF NEW.color_identity IS NOT NULL AND array_position(NEW.color_identity, NULL) IS NULL THEN
        NEW.color_identity := ARRAY(SELECT w.c FROM unnest(ARRAY['W', 'U', 'B', 'R', 'G']) WITH ORDINALITY AS w(c, n)
                                     WHERE w.c = ANY (NEW.color_identity) ORDER BY w.n)
                              || ARRAY(SELECT DISTINCT c FROM unnest(NEW.color_identity) c
                                        WHERE c NOT IN ('W', 'U', 'B', 'R', 'G') ORDER BY c);
    END IF;
    v_problem := store.card_problem(NEW, CASE WHEN TG_OP = 'UPDATE' THEN OLD.game END);
    IF v_problem IS NOT NULL THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE', v_problem);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.card_validate_trg() IS
'BEFORE INSERT OR UPDATE trigger on store.card, whoever writes: puts the color identity in WUBRG order without repeats,
refuses a product that is not the tenant''s (STORE_UNKNOWN_PRODUCT), what store.card_problem finds
(STORE_INVALID_CARD_ATTRIBUTE, "field: reason") and a change of product or tenant; stamps updated_at.';

CREATE OR REPLACE FUNCTION store.card_variant_problem(p_v store.card_variant)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_labels   text;
    v_sub      record;
    v_overall  numeric;
BEGIN
    IF p_v.printing IS NULL THEN
        RETURN 'printing: required';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM store.game_printing gp WHERE gp.game = p_v.game AND gp.printing = p_v.printing) THEN
        RETURN format('printing: %s cards have no printing %s (%s)', p_v.game, p_v.printing,
                      (SELECT string_agg(gp.printing, ', ' ORDER BY gp.sort_order) FROM store.game_printing gp
                        WHERE gp.game = p_v.game));
    END IF;
    IF p_v.language IS NULL THEN
        RETURN 'language: required';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM masterdata.lookup l JOIN masterdata.lookup_type t ON t.id = l.lookup_type_id
                    WHERE t.code = 'CARD_LANGUAGE' AND l.code = p_v.language AND l.is_active AND t.is_active) THEN
        RETURN format('language: %s is not a card language (api.lookups(''CARD_LANGUAGE'') lists them)', left(p_v.language, 40));
    END IF;
    IF p_v.serial_number IS NOT NULL THEN
        IF p_v.serial_number !~ '^[0-9]{1,9}/[0-9]{1,9}$' THEN
            RETURN format('serial_number: the form is n/m (e.g. 001/250), not %s', left(p_v.serial_number, 40));
        END IF;
        IF split_part(p_v.serial_number, '/', 1)::integer NOT BETWEEN 1 AND split_part(p_v.serial_number, '/', 2)::integer THEN
            RETURN format('serial_number: n/m needs 1 <= n <= m, not %s', p_v.serial_number);
        END IF;
    END IF;

    IF p_v.grading_company IS NULL THEN
        -- ungraded: a condition, and nothing of a slab
        FOR v_sub IN SELECT * FROM (VALUES ('scale_version', p_v.scale_version::text), ('grade', p_v.grade::text),
                                           ('grade_label', p_v.grade_label), ('cert_number', p_v.cert_number),
                                           ('centering', p_v.centering::text), ('corners', p_v.corners::text),
                                           ('edges', p_v.edges::text), ('surface', p_v.surface::text)) AS f(field, value)
                      WHERE f.value IS NOT NULL LOOP
            RETURN format('%s: only a graded card has one (grading_company is missing)', v_sub.field);
        END LOOP;
        IF p_v.condition IS NULL THEN
            RETURN 'condition: required for an ungraded card';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM store.condition c WHERE c.code = p_v.condition) THEN
            RETURN format('condition: unknown condition %s (%s)', left(p_v.condition, 40),
                          (SELECT string_agg(c.code, ', ' ORDER BY c.sort_order) FROM store.condition c));
        END IF;
        RETURN NULL;
    END IF;

    -- graded
    IF NOT EXISTS (SELECT 1 FROM store.grading_company g WHERE g.code = p_v.grading_company) THEN
        RETURN format('grading_company: unknown grading company %s (%s)', left(p_v.grading_company, 40),
                      (SELECT string_agg(g.code, ', ' ORDER BY g.code) FROM store.grading_company g));
    END IF;
    IF p_v.condition IS NOT NULL THEN
        RETURN 'condition: a graded card has no condition, its grade says it';
    END IF;
    IF p_v.scale_version IS NULL OR NOT EXISTS (SELECT 1 FROM store.grading_scale s
                                                 WHERE s.grading_company = p_v.grading_company AND s.version = p_v.scale_version) THEN
        RETURN format('scale_version: %s has no scale version %s (%s)', p_v.grading_company, coalesce(p_v.scale_version::text, 'null'),
                      (SELECT string_agg(s.version::text, ', ' ORDER BY s.version) FROM store.grading_scale s
                        WHERE s.grading_company = p_v.grading_company));
    END IF;
    IF p_v.grade IS NULL THEN
        RETURN 'grade: required when graded';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM store.grading_grade g WHERE g.grading_company = p_v.grading_company
                      AND g.scale_version = p_v.scale_version AND g.grade = p_v.grade) THEN
        RETURN format('grade: %s has no grade %s%s', p_v.grading_company, trim_scale(p_v.grade),
                      CASE p_v.grading_company
                      WHEN 'PSA' THEN ' (1 to 10; half grades 1.5 to 8.5 only)'
                      ELSE ' (1 to 10 in steps of 0.5)' END);
    END IF;
    SELECT string_agg(g.label, ' or ' ORDER BY g.label DESC) INTO v_labels
      FROM store.grading_grade g
     WHERE g.grading_company = p_v.grading_company AND g.scale_version = p_v.scale_version AND g.grade = p_v.grade;
    IF p_v.grade_label IS NULL THEN
        RETURN format('grade_label: %s %s (scale %s) is %s: say which', p_v.grading_company, trim_scale(p_v.grade),
                      p_v.scale_version, v_labels);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM store.grading_grade g WHERE g.grading_company = p_v.grading_company
                      AND g.scale_version = p_v.scale_version AND g.grade = p_v.grade AND g.label = p_v.grade_label) THEN
        RETURN format('grade_label: %s %s (scale %s) is %s, not %s', p_v.grading_company, trim_scale(p_v.grade),
                      p_v.scale_version, v_labels, left(p_v.grade_label, 40));
    END IF;
    IF p_v.cert_number IS NULL THEN
        RETURN 'cert_number: required when graded';
    END IF;
    IF p_v.cert_number !~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$' THEN
        RETURN format('cert_number: 1 to 32 letters, digits or -, not %s', left(p_v.cert_number, 40));
    END IF;

    -- subgrades: BGS only, all four or none, each on the half-point scale, and the overall Beckett's for them
    IF num_nulls(p_v.centering, p_v.corners, p_v.edges, p_v.surface) < 4 THEN
        IF p_v.grading_company <> 'BGS' THEN
            RETURN format('%s: only BGS slabs carry subgrades, not %s',
                          CASE WHEN p_v.centering IS NOT NULL THEN 'centering' WHEN p_v.corners IS NOT NULL THEN 'corners'
                               WHEN p_v.edges IS NOT NULL THEN 'edges' ELSE 'surface' END, p_v.grading_company);
        END IF;
        FOR v_sub IN SELECT * FROM (VALUES (1, 'centering', p_v.centering), (2, 'corners', p_v.corners),
                                           (3, 'edges', p_v.edges), (4, 'surface', p_v.surface)) AS f(n, field, value)
                      ORDER BY f.n LOOP
            IF v_sub.value IS NULL THEN
                RETURN format('%s: required with the other subgrades (centering, corners, edges, surface: all four or none)',
                              v_sub.field);
            END IF;
            IF v_sub.value NOT BETWEEN 1 AND 10 OR v_sub.value * 2 <> trunc(v_sub.value * 2) THEN
                RETURN format('%s: a BGS subgrade is 1 to 10 in steps of 0.5, not %s', v_sub.field, trim_scale(v_sub.value));
            END IF;
        END LOOP;
        v_overall := store.bgs_overall(p_v.centering, p_v.corners, p_v.edges, p_v.surface);
        IF p_v.grade <> v_overall THEN
            RETURN format('grade: BGS subgrades %s/%s/%s/%s (centering/corners/edges/surface) make an overall %s, not %s',
                          trim_scale(p_v.centering), trim_scale(p_v.corners), trim_scale(p_v.edges),
                          trim_scale(p_v.surface), trim_scale(v_overall), trim_scale(p_v.grade));
        END IF;
        IF least(p_v.centering, p_v.corners, p_v.edges, p_v.surface) = 10 AND p_v.grade_label <> 'BLACK_LABEL' THEN
            RETURN 'grade_label: four subgrades of 10 make a BLACK_LABEL, not ' || p_v.grade_label;
        END IF;
        IF least(p_v.centering, p_v.corners, p_v.edges, p_v.surface) < 10 AND p_v.grade_label = 'BLACK_LABEL' THEN
            RETURN 'grade_label: a BGS Black Label needs four subgrades of 10';
        END IF;
    ELSIF p_v.grade_label = 'BLACK_LABEL' THEN
        RETURN 'grade_label: a BGS Black Label needs its four subgrades (centering, corners, edges, surface), all 10';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION store.card_variant_problem(store.card_variant) IS
'What is wrong with a card variant''s TCG attributes, as "field: reason", or NULL: printing one of the game''s, language a
CARD_LANGUAGE lookup, serial number n/m with 1 <= n <= m; ungraded: a known condition and nothing of a slab; graded: a
known company, no condition, a scale version of the company, a grade on that scale (PSA has no 9.5), its label, a
certificate number; BGS subgrades all four or none, each 1 to 10 in half points, the grade store.bgs_overall of them and
BLACK_LABEL exactly for four 10s. The catalog and uniqueness checks are the trigger''s. Internal.';

CREATE OR REPLACE FUNCTION store.card_variant_validate_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_variant  record;
    v_game     text;
    v_problem  text;
    v_other    bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.variant_id <> OLD.variant_id OR NEW.tenant_id <> OLD.tenant_id
                             OR NEW.product_id <> OLD.product_id) THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE', 'variant_id: a card variant''s variant, product and tenant never change');
    END IF;
    -- the catalog variant: of this tenant, of the card's product
    SELECT v.id, v.tenant_id, v.product_id, v.max_quantity INTO v_variant
      FROM catalog.variant v WHERE v.id = NEW.variant_id;
    IF NOT FOUND OR v_variant.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
        PERFORM core.raise('STORE_UNKNOWN_VARIANT', format('variant_id: variant %s in tenant %s', NEW.variant_id, NEW.tenant_id));
    END IF;
    IF NEW.product_id IS NULL THEN
        NEW.product_id := v_variant.product_id;
    ELSIF NEW.product_id <> v_variant.product_id THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE',
                           format('product_id: variant %s is of product %s, not %s', NEW.variant_id, v_variant.product_id,
                                  NEW.product_id));
    END IF;
    SELECT c.game INTO v_game FROM store.card c WHERE c.product_id = NEW.product_id AND c.tenant_id = NEW.tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('STORE_UNKNOWN_PRODUCT', format('product_id: product %s is not a card of tenant %s (store.add_card)',
                                                           NEW.product_id, NEW.tenant_id));
    END IF;
    NEW.game := v_game;
    -- a slab without a version was labelled under its company's latest scale; one label per number needs no naming
    IF NEW.grading_company IS NOT NULL AND NEW.scale_version IS NULL THEN
        NEW.scale_version := (SELECT max(s.version) FROM store.grading_scale s WHERE s.grading_company = NEW.grading_company);
    END IF;
    IF NEW.grading_company IS NOT NULL AND NEW.grade_label IS NULL THEN
        IF NEW.grading_company = 'BGS' AND NEW.grade = 10 AND NEW.centering IS NOT NULL THEN
            NEW.grade_label := CASE WHEN least(NEW.centering, NEW.corners, NEW.edges, NEW.surface) = 10
                                    THEN 'BLACK_LABEL' ELSE 'PRISTINE' END;
        ELSIF NEW.grading_company = 'BGS' AND NEW.grade = 10 THEN
            NEW.grade_label := 'PRISTINE';
        ELSE
            NEW.grade_label := (SELECT min(g.label) FROM store.grading_grade g
                                 WHERE g.grading_company = NEW.grading_company AND g.scale_version = NEW.scale_version
                                   AND g.grade = NEW.grade
                                HAVING count(*) = 1);
        END IF;
    END IF;
    v_problem := store.card_variant_problem(NEW);
    IF v_problem IS NOT NULL THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE', v_problem);
    END IF;
    IF NEW.grading_company IS NOT NULL THEN
        -- a slab is one unit: its catalog variant holds at most one, across every location and channel
        IF v_variant.max_quantity IS DISTINCT FROM 1 THEN
            PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE',
                               format('max_quantity: a graded slab is one unit: variant %s needs max_quantity 1, not %s',
                                      NEW.variant_id, coalesce(v_variant.max_quantity::text, 'unlimited')));
        END IF;
        SELECT cv.variant_id INTO v_other FROM store.card_variant cv
         WHERE cv.tenant_id = NEW.tenant_id AND cv.grading_company = NEW.grading_company
           AND cv.cert_number = NEW.cert_number AND cv.variant_id <> NEW.variant_id;
        IF FOUND THEN
            PERFORM core.raise('STORE_CARD_UNIT_EXISTS', format('cert_number: %s %s is already variant %s',
                                                                NEW.grading_company, NEW.cert_number, v_other));
        END IF;
    ELSE
        SELECT cv.variant_id INTO v_other FROM store.card_variant cv
         WHERE cv.tenant_id = NEW.tenant_id AND cv.product_id = NEW.product_id AND NOT cv.graded
           AND cv.condition = NEW.condition AND cv.printing = NEW.printing AND cv.language = NEW.language
           AND cv.variant_id <> NEW.variant_id;
        IF FOUND THEN
            PERFORM core.raise('STORE_CARD_UNIT_EXISTS',
                               format('condition: product %s in %s, %s, %s is already variant %s', NEW.product_id,
                                      NEW.condition, NEW.printing, NEW.language, v_other));
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.card_variant_validate_trg() IS
'BEFORE INSERT OR UPDATE trigger on store.card_variant, whoever writes: the catalog variant must be the tenant''s
(STORE_UNKNOWN_VARIANT) and of a card of the tenant (STORE_UNKNOWN_PRODUCT), its product is filled in and its game
copied from the card; a slab without a scale version takes its company''s latest, and a grade with one label takes it;
then store.card_variant_problem (STORE_INVALID_CARD_ATTRIBUTE, "field: reason"); a slab''s catalog variant must have
max_quantity 1 (STORE_INVALID_CARD_ATTRIBUTE, "max_quantity: …"); a second slab of one certificate or a second ungraded
unit of product × condition × printing × language is refused (STORE_CARD_UNIT_EXISTS; the unique indexes decide a
race). Variant, product and tenant never change; stamps updated_at.';

CREATE OR REPLACE FUNCTION store.variant_max_quantity_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.max_quantity IS DISTINCT FROM 1
       AND EXISTS (SELECT 1 FROM store.card_variant cv WHERE cv.variant_id = NEW.id AND cv.grading_company IS NOT NULL) THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE',
                           format('max_quantity: variant %s is a graded slab, one unit: its max_quantity stays 1', NEW.id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.variant_max_quantity_trg() IS
'BEFORE UPDATE OF max_quantity trigger on catalog.variant (the store''s, the catalog knows no slab): a graded slab''s
variant keeps max_quantity 1 (STORE_INVALID_CARD_ATTRIBUTE), so inventory never holds two of it.';

CREATE TRIGGER card_validate BEFORE INSERT OR UPDATE ON store.card
    FOR EACH ROW EXECUTE FUNCTION store.card_validate_trg();
CREATE TRIGGER card_variant_validate BEFORE INSERT OR UPDATE ON store.card_variant
    FOR EACH ROW EXECUTE FUNCTION store.card_variant_validate_trg();
CREATE TRIGGER variant_store_max_quantity BEFORE UPDATE OF max_quantity ON catalog.variant
    FOR EACH ROW EXECUTE FUNCTION store.variant_max_quantity_trg();

COMMIT;
