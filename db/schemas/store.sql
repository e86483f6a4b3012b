-- Deploy mercato:schemas/store to pg
-- The CardStore product (issue 18, seed 002): the TCG attributes of catalog rows. The kernel and the catalog know no
-- trading card; a store card extends a catalog product 1:1 (store.card, keyed by product_id) and a store card variant
-- extends a catalog variant 1:1 (store.card_variant, keyed by variant_id), both carrying the tenant and pointing at their
-- catalog row through a composite foreign key (id, tenant_id), so that no row points into another tenant.
-- Reference data (same for every tenant, read by every API role): games, the seed's conditions and their TCGplayer
-- equivalents, printings per game, grading companies with their scales per scale version (CGC relabelled in 2023),
-- card languages (a masterdata lookup, CARD_LANGUAGE). docs/store.md says where each grading fact comes from.
-- The rules are enforced by the validation triggers of functions/store/tcg, which refuse with STORE_INVALID_CARD_ATTRIBUTE
-- and a detail "field: reason" before the write; the CHECK and foreign key constraints here are backstops only. The
-- one function of this change, store.bgs_overall, is here because a CHECK constraint calls it.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE SCHEMA store;
COMMENT ON SCHEMA store IS 'The CardStore product: TCG attributes of catalog products and variants, and its reference data.';
GRANT USAGE ON SCHEMA store TO mercato_anon, mercato_user, mercato_service;

-- reference data --------------------------------------------------------------------------------------------------------
CREATE TABLE store.game (
    code       text CONSTRAINT game_pkey PRIMARY KEY CONSTRAINT game_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
    name       text NOT NULL,
    sort_order integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE store.game IS
'A trading card game (MTG, POKEMON, YUGIOH, LORCANA). Reference data, changed by migrations only.';

CREATE TABLE store.tcgplayer_condition (
    code         text CONSTRAINT tcgplayer_condition_pkey PRIMARY KEY
                 CONSTRAINT tcgplayer_condition_code_check CHECK (code ~ '^[A-Z][A-Z_]{1,31}$'),
    name         text NOT NULL,
    abbreviation text NOT NULL,
    sort_order   integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE store.tcgplayer_condition IS
'TCGplayer''s conditions (Near Mint, Lightly Played, Moderately Played, Heavily Played, Damaged): what a listing on the
TCGPLAYER channel must say.';

CREATE TABLE store.condition (
    code                text CONSTRAINT condition_pkey PRIMARY KEY CONSTRAINT condition_code_check CHECK (code ~ '^[A-Z][A-Z_]{1,31}$'),
    name                text NOT NULL,
    abbreviation        text NOT NULL,
    tcgplayer_condition text NOT NULL CONSTRAINT condition_tcgplayer_condition_fkey
                        REFERENCES store.tcgplayer_condition (code),
    sort_order          integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE store.condition IS
'The seed''s conditions of an ungraded card (Mint … Damaged), each mapped to the TCGplayer condition it is listed as
(TCGplayer has no Mint: Mint lists as Near Mint).';

CREATE TABLE store.printing (
    code text CONSTRAINT printing_pkey PRIMARY KEY CONSTRAINT printing_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
    name text NOT NULL
);
COMMENT ON TABLE store.printing IS 'A printing or finish (NONFOIL, FOIL, ETCHED, HOLOFOIL, REVERSE_HOLOFOIL, FIRST_EDITION, …).';

CREATE TABLE store.game_printing (
    game       text NOT NULL CONSTRAINT game_printing_game_fkey REFERENCES store.game (code),
    printing   text NOT NULL CONSTRAINT game_printing_printing_fkey REFERENCES store.printing (code),
    sort_order integer NOT NULL DEFAULT 0,
    CONSTRAINT game_printing_pkey PRIMARY KEY (game, printing)
);
COMMENT ON TABLE store.game_printing IS
'The printings a game''s cards come in (MTG: nonfoil, foil, etched; Pokémon: normal, holofoil, reverse holofoil, 1st
edition, …): a card variant''s printing must be one of its game''s.';

CREATE TABLE store.grading_company (
    code          text CONSTRAINT grading_company_pkey PRIMARY KEY
                  CONSTRAINT grading_company_code_check CHECK (code ~ '^[A-Z]{2,10}$'),
    name          text NOT NULL,
    has_subgrades boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE store.grading_company IS
'A grading company (PSA, BGS, SGC, CGC, HGA). has_subgrades: its slabs carry the four subgrades (centering, corners,
edges, surface) from which the overall grade is derived (BGS only: store.bgs_overall).';

CREATE TABLE store.grading_scale (
    grading_company text NOT NULL CONSTRAINT grading_scale_grading_company_fkey REFERENCES store.grading_company (code),
    version         integer NOT NULL CONSTRAINT grading_scale_version_check CHECK (version > 0),
    effective_from  date NOT NULL,
    note            text NOT NULL DEFAULT '',
    CONSTRAINT grading_scale_pkey PRIMARY KEY (grading_company, version)
);
COMMENT ON TABLE store.grading_scale IS
'A version of a grading company''s scale: the same number may mean another label after a relabel (CGC, 2023: 9.5 was Gem
Mint, then Mint+, and Gem Mint became a 10 beside Pristine). A slab records the version its label was printed under;
without one it is the company''s latest.';

CREATE TABLE store.grading_grade (
    grading_company text NOT NULL,
    scale_version   integer NOT NULL,
    grade           numeric(3,1) NOT NULL CONSTRAINT grading_grade_grade_check CHECK (grade BETWEEN 1 AND 10 AND grade * 2 = trunc(grade * 2)),
    label           text NOT NULL CONSTRAINT grading_grade_label_check CHECK (label ~ '^[A-Z][A-Z_]{1,31}$'),
    name            text NOT NULL,
    CONSTRAINT grading_grade_pkey PRIMARY KEY (grading_company, scale_version, grade, label),
    CONSTRAINT grading_grade_grading_company_scale_version_fkey FOREIGN KEY (grading_company, scale_version)
        REFERENCES store.grading_scale (grading_company, version)
);
COMMENT ON TABLE store.grading_grade IS
'The grades of a scale: a grade exists on a company''s scale version only if it is a row here (PSA has no 9.5, BGS has
every half grade). Two rows share a number where the company prints two labels for it (SGC and CGC from 2023: 10
Pristine and 10 Gem Mint; BGS: 10 Pristine and 10 Black Label).';

INSERT INTO store.game (code, name, sort_order) VALUES
('MTG', 'Magic: The Gathering', 1), ('POKEMON', 'Pokémon', 2), ('YUGIOH', 'Yu-Gi-Oh!', 3), ('LORCANA', 'Disney Lorcana', 4);

INSERT INTO store.tcgplayer_condition (code, name, abbreviation, sort_order) VALUES
('NEAR_MINT', 'Near Mint', 'NM', 1), ('LIGHTLY_PLAYED', 'Lightly Played', 'LP', 2),
('MODERATELY_PLAYED', 'Moderately Played', 'MP', 3), ('HEAVILY_PLAYED', 'Heavily Played', 'HP', 4),
('DAMAGED', 'Damaged', 'DMG', 5);

INSERT INTO store.condition (code, name, abbreviation, tcgplayer_condition, sort_order) VALUES
('MINT', 'Mint', 'M', 'NEAR_MINT', 1), ('NEAR_MINT', 'Near Mint', 'NM', 'NEAR_MINT', 2),
('LIGHTLY_PLAYED', 'Lightly Played', 'LP', 'LIGHTLY_PLAYED', 3),
('MODERATELY_PLAYED', 'Moderately Played', 'MP', 'MODERATELY_PLAYED', 4),
('HEAVILY_PLAYED', 'Heavily Played', 'HP', 'HEAVILY_PLAYED', 5), ('DAMAGED', 'Damaged', 'DMG', 'DAMAGED', 6);

INSERT INTO store.printing (code, name) VALUES
('NONFOIL', 'Nonfoil (Normal)'), ('FOIL', 'Foil'), ('ETCHED', 'Etched foil'), ('HOLOFOIL', 'Holofoil'),
('REVERSE_HOLOFOIL', 'Reverse holofoil'), ('FIRST_EDITION', '1st Edition'),
('FIRST_EDITION_HOLOFOIL', '1st Edition holofoil'), ('UNLIMITED', 'Unlimited'), ('LIMITED', 'Limited');

INSERT INTO store.game_printing (game, printing, sort_order) VALUES
('MTG', 'NONFOIL', 1), ('MTG', 'FOIL', 2), ('MTG', 'ETCHED', 3),
('POKEMON', 'NONFOIL', 1), ('POKEMON', 'HOLOFOIL', 2), ('POKEMON', 'REVERSE_HOLOFOIL', 3),
('POKEMON', 'FIRST_EDITION', 4), ('POKEMON', 'FIRST_EDITION_HOLOFOIL', 5),
('YUGIOH', 'FIRST_EDITION', 1), ('YUGIOH', 'UNLIMITED', 2), ('YUGIOH', 'LIMITED', 3),
('LORCANA', 'NONFOIL', 1), ('LORCANA', 'FOIL', 2);

INSERT INTO store.grading_company (code, name, has_subgrades) VALUES
('PSA', 'Professional Sports Authenticator', false), ('BGS', 'Beckett Grading Services', true),
('SGC', 'Sportscard Guaranty', false), ('CGC', 'CGC Cards', false), ('HGA', 'Hybrid Grading Approach', false);

INSERT INTO store.grading_scale (grading_company, version, effective_from, note) VALUES
('PSA', 1, '2008-01-01', '1 to 10; half grades 1.5 to 8.5 only (no 9.5); 10 Gem Mint'),
('BGS', 1, '2001-01-01', '1 to 10 in half steps; 10 Pristine, and Black Label for four subgrades of 10'),
('SGC', 1, '2019-01-01', 'the 10-point scale: half grades 1.5 to 9.5; 10 Pristine and 10 Gem Mint'),
('CGC', 1, '2020-01-01', 'launch scale: 1 to 10 in half steps; 9.5 Gem Mint, 10 Pristine'),
('CGC', 2, '2023-01-01', 'the 2023 relabel: 9.5 Mint+, 10 Gem Mint and 10 Pristine'),
('HGA', 1, '2021-01-01', '1 to 10 in half steps; 10 Gem Mint');

-- The labels below 9.5 are shared (PSA's wording); each company's top grades differ.
INSERT INTO store.grading_grade (grading_company, scale_version, grade, label, name)
SELECT s.grading_company, s.version, l.grade, l.label, l.name
  FROM store.grading_scale s
 CROSS JOIN (VALUES
    (1.0, 'POOR', 'Poor'), (1.5, 'FAIR', 'Fair'), (2.0, 'GOOD', 'Good'), (2.5, 'GOOD_PLUS', 'Good+'), (3.0, 'VG', 'Very Good'),
    (3.5, 'VG_PLUS', 'Very Good+'), (4.0, 'VG_EX', 'Very Good-Excellent'), (4.5, 'VG_EX_PLUS', 'Very Good-Excellent+'),
    (5.0, 'EX', 'Excellent'), (5.5, 'EX_PLUS', 'Excellent+'), (6.0, 'EX_MT', 'Excellent-Mint'),
    (6.5, 'EX_MT_PLUS', 'Excellent-Mint+'), (7.0, 'NM', 'Near Mint'), (7.5, 'NM_PLUS', 'Near Mint+'),
    (8.0, 'NM_MT', 'Near Mint-Mint'), (8.5, 'NM_MT_PLUS', 'Near Mint-Mint+'), (9.0, 'MINT', 'Mint')
  ) AS l(grade, label, name)
UNION ALL
SELECT t.c, t.v, t.g, t.lb, t.n FROM (VALUES
    -- PSA: no 9.5 (its half grades stop at 8.5)
    ('PSA', 1, 10.0, 'GEM_MINT', 'Gem Mint'),
    ('BGS', 1, 9.5, 'GEM_MINT', 'Gem Mint'), ('BGS', 1, 10.0, 'PRISTINE', 'Pristine'),
    ('BGS', 1, 10.0, 'BLACK_LABEL', 'Pristine (Black Label)'),
    ('SGC', 1, 9.5, 'MINT_PLUS', 'Mint+'), ('SGC', 1, 10.0, 'GEM_MINT', 'Gem Mint'), ('SGC', 1, 10.0, 'PRISTINE', 'Pristine'),
    ('CGC', 1, 9.5, 'GEM_MINT', 'Gem Mint'), ('CGC', 1, 10.0, 'PRISTINE', 'Pristine'),
    ('CGC', 2, 9.5, 'MINT_PLUS', 'Mint+'), ('CGC', 2, 10.0, 'GEM_MINT', 'Gem Mint'), ('CGC', 2, 10.0, 'PRISTINE', 'Pristine'),
    ('HGA', 1, 9.5, 'MINT_PLUS', 'Mint+'), ('HGA', 1, 10.0, 'GEM_MINT', 'Gem Mint')
  ) AS t(c, v, g, lb, n);

-- languages: a masterdata lookup (the back office adds one without a migration)
INSERT INTO masterdata.lookup_type (code, name, description, display_order) VALUES
('CARD_LANGUAGE', 'Card language', 'The language a trading card is printed in (store.card_variant.language).', 10);
INSERT INTO masterdata.lookup (lookup_type_id, code, value, metadata, sort_order)
SELECT t.id, v.code, v.value, jsonb_build_object('scryfall', v.scryfall), v.sort_order
  FROM (VALUES ('EN', 'English', 'en', 1), ('JA', 'Japanese', 'ja', 2), ('DE', 'German', 'de', 3), ('FR', 'French', 'fr', 4),
               ('IT', 'Italian', 'it', 5), ('ES', 'Spanish', 'es', 6), ('PT', 'Portuguese', 'pt', 7),
               ('RU', 'Russian', 'ru', 8), ('KO', 'Korean', 'ko', 9), ('ZHS', 'Chinese (Simplified)', 'zhs', 10),
               ('ZHT', 'Chinese (Traditional)', 'zht', 11), ('PH', 'Phyrexian', 'ph', 12)) AS v(code, value, scryfall, sort_order)
  JOIN masterdata.lookup_type t ON t.code = 'CARD_LANGUAGE';

-- the BGS overall grade (a CHECK below calls it) -------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION store.bgs_overall(p_centering numeric, p_corners numeric, p_edges numeric, p_surface numeric)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (
    WITH s AS (
        SELECT array_agg(x ORDER BY x) AS v, avg(x) AS mean, bool_and(x BETWEEN 1 AND 10 AND x * 2 = trunc(x * 2)) AS ok,
               count(x) AS n
          FROM unnest(ARRAY[p_centering, p_corners, p_edges, p_surface]) AS u(x)
    ), r AS (
        SELECT s.*, s.v[1] AS low, s.v[2] - s.v[1] AS gap FROM s
    )
    SELECT CASE
           WHEN NOT r.ok OR r.n <> 4 THEN NULL
           -- Pristine 10: no subgrade under 9.5 and a mean of at least 9.75 (at most two 9.5s)
           WHEN r.low >= 9.5 AND r.mean >= 9.75 THEN 10.0
           -- Gem Mint 9.5 needs every subgrade at least 9
           WHEN r.low < 9 AND r.low + CASE WHEN r.gap = 0 THEN 0 WHEN r.gap <= 1 THEN 0.5 ELSE 1 END >= 9.5 THEN 9.0
           -- the lowest subgrade caps the overall: at most one point above it, raised by the second lowest
           ELSE least(9.5, r.low + CASE WHEN r.gap = 0 THEN 0 WHEN r.gap <= 1 THEN 0.5 ELSE 1 END)
           END::numeric(3,1)
      FROM r
);
COMMENT ON FUNCTION store.bgs_overall(numeric, numeric, numeric, numeric) IS
'The overall grade Beckett (BGS) gives a card with these four subgrades (centering, corners, edges, surface; each 1 to 10
in steps of 0.5); NULL when a subgrade is missing or off the scale. Not an average: the lowest subgrade caps the
overall at one point above it, and the second lowest decides how far it is raised (the same: not at all; 0.5 or 1
above: half a point; more: a full point); Gem Mint 9.5 needs no subgrade under 9; Pristine 10 needs no subgrade under
9.5 and a mean of at least 9.75 (four 10s: the Black Label). docs/store.md gives the source of each rule and what is
inferred. Immutable, no table read; a CHECK constraint of store.card_variant calls it.';

-- the store's cards ------------------------------------------------------------------------------------------------------
CREATE TABLE store.card (
    product_id       bigint NOT NULL,
    tenant_id        bigint NOT NULL CONSTRAINT card_tenant_id_fkey REFERENCES identity.tenant (id),
    game             text NOT NULL CONSTRAINT card_game_fkey REFERENCES store.game (code),
    set_code         text NOT NULL CONSTRAINT card_set_code_check CHECK (set_code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$'),
    set_name         text CONSTRAINT card_set_name_check CHECK (length(btrim(set_name)) BETWEEN 1 AND 200),
    collector_number text CONSTRAINT card_collector_number_check CHECK (collector_number ~ '^[^\s].{0,30}[^\s]$|^[^\s]$'),
    rarity           text CONSTRAINT card_rarity_check CHECK (length(btrim(rarity)) BETWEEN 1 AND 64),
    cmc              numeric CONSTRAINT card_cmc_check CHECK (cmc >= 0 AND cmc <= 1000000),
    color_identity   text[] CONSTRAINT card_color_identity_check CHECK (color_identity <@ ARRAY['W', 'U', 'B', 'R', 'G']),
    legalities       jsonb NOT NULL DEFAULT '{}' CONSTRAINT card_legalities_check CHECK (
                         jsonb_typeof(legalities) = 'object'
                         AND NOT jsonb_path_exists(legalities, '$.* ? (@ != "legal" && @ != "not_legal" && @ != "restricted" && @ != "banned")')),
    metadata         jsonb NOT NULL DEFAULT '{}' CONSTRAINT card_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT card_pkey PRIMARY KEY (product_id),
    CONSTRAINT card_product_id_tenant_id_game_key UNIQUE (product_id, tenant_id, game),
    CONSTRAINT card_product_id_fkey FOREIGN KEY (product_id, tenant_id) REFERENCES catalog.product (id, tenant_id),
    -- mana value and color identity are Magic's
    CONSTRAINT card_game_check CHECK (game = 'MTG' OR (cmc IS NULL AND color_identity IS NULL))
);
COMMENT ON TABLE store.card IS
'The TCG attributes of a catalog product that is a trading card (1:1, keyed by product_id, same tenant): game, set,
collector number, rarity, and for Magic the mana value (cmc) and color identity; legalities an open map of format →
legal / not_legal / restricted / banned (formats change; the values do not). Written by store.add_card; validated by
store.card_validate_trg (STORE_INVALID_CARD_ATTRIBUTE naming the field), the CHECKs are backstops. Audited.';
COMMENT ON COLUMN store.card.color_identity IS 'A subset of {W, U, B, R, G} in WUBRG order, no repeats; empty: colorless. MTG only.';
COMMENT ON COLUMN store.card.legalities IS 'Format → legal | not_legal | restricted | banned, e.g. {"modern": "legal"}.';
COMMENT ON COLUMN store.card.metadata IS 'Free-form attributes of the seed (artist, mana cost, type line, scryfall id, …).';

CREATE TABLE store.card_variant (
    variant_id      bigint NOT NULL,
    tenant_id       bigint NOT NULL CONSTRAINT card_variant_tenant_id_fkey REFERENCES identity.tenant (id),
    product_id      bigint NOT NULL,
    game            text NOT NULL,
    condition       text CONSTRAINT card_variant_condition_fkey REFERENCES store.condition (code),
    printing        text NOT NULL,
    language        text NOT NULL CONSTRAINT card_variant_language_check CHECK (language ~ '^[A-Z][A-Z0-9_]{1,15}$'),
    grading_company text CONSTRAINT card_variant_grading_company_fkey REFERENCES store.grading_company (code),
    scale_version   integer,
    grade           numeric,
    grade_label     text,
    cert_number     text CONSTRAINT card_variant_cert_number_check CHECK (cert_number ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$'),
    centering       numeric,
    corners         numeric,
    edges           numeric,
    surface         numeric,
    serial_number   text CONSTRAINT card_variant_serial_number_check CHECK (
                        serial_number ~ '^[0-9]{1,9}/[0-9]{1,9}$'
                        AND split_part(serial_number, '/', 1)::integer BETWEEN 1 AND split_part(serial_number, '/', 2)::integer),
    graded          boolean NOT NULL GENERATED ALWAYS AS (grading_company IS NOT NULL) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT card_variant_pkey PRIMARY KEY (variant_id),
    CONSTRAINT card_variant_variant_id_fkey FOREIGN KEY (variant_id, tenant_id) REFERENCES catalog.variant (id, tenant_id),
    CONSTRAINT card_variant_product_id_fkey FOREIGN KEY (product_id, tenant_id, game)
        REFERENCES store.card (product_id, tenant_id, game),
    CONSTRAINT card_variant_printing_fkey FOREIGN KEY (game, printing) REFERENCES store.game_printing (game, printing),
    CONSTRAINT card_variant_grade_fkey FOREIGN KEY (grading_company, scale_version, grade, grade_label)
        REFERENCES store.grading_grade (grading_company, scale_version, grade, label),
    -- graded: company, version, grade, label and certificate together, and no condition (the grade says it)
    CONSTRAINT card_variant_graded_check CHECK (CASE WHEN grading_company IS NULL
        THEN num_nulls(scale_version, grade, grade_label, cert_number, centering, corners, edges, surface) = 8
             AND condition IS NOT NULL
        ELSE num_nulls(scale_version, grade, grade_label, cert_number) = 0 AND condition IS NULL END),
    -- subgrades: BGS only, all four or none, and the overall is Beckett's for them
    CONSTRAINT card_variant_subgrades_check CHECK (
        num_nulls(centering, corners, edges, surface) = 4
        OR (grading_company = 'BGS' AND grade = store.bgs_overall(centering, corners, edges, surface)
            AND (grade_label = 'BLACK_LABEL') = (least(centering, corners, edges, surface) = 10))),
    CONSTRAINT card_variant_grade_label_check CHECK (grade_label <> 'BLACK_LABEL' OR centering IS NOT NULL),
    -- a grade is on its scale (the foreign key to store.grading_grade); subgrades are BGS half points (bgs_overall)
    CONSTRAINT card_variant_tenant_id_grading_company_cert_number_key UNIQUE (tenant_id, grading_company, cert_number)
);
COMMENT ON TABLE store.card_variant IS
'The TCG attributes of a catalog variant of a store card (1:1, keyed by variant_id, same tenant and product): an
ungraded sellable unit is product × condition × printing × language (unique per tenant, as TCGplayer''s SKUs); a graded
slab has a grading company, scale version, grade (and its label), certificate number — unique per tenant and company —
and for BGS optionally the four subgrades whose overall it must be; its catalog variant has max_quantity 1 so it is
never listed twice. serial_number: n/m with 1 <= n <= m. Written by store.add_card_variant; validated by
store.card_variant_validate_trg (STORE_INVALID_CARD_ATTRIBUTE naming the field), the constraints are backstops. Audited.';
COMMENT ON COLUMN store.card_variant.game IS 'The card''s game, copied by the validation trigger: printings are checked per game.';
COMMENT ON COLUMN store.card_variant.language IS 'A CARD_LANGUAGE code of masterdata.lookup (EN, JA, …).';
COMMENT ON COLUMN store.card_variant.grade_label IS
'The label printed with the grade (store.grading_grade.label): GEM_MINT, PRISTINE, BLACK_LABEL, MINT_PLUS, …; needed
where one number has two labels (SGC or CGC 10).';

-- one ungraded unit per product × condition × printing × language in a tenant
CREATE UNIQUE INDEX card_variant_product_id_condition_printing_language_key
    ON store.card_variant (product_id, condition, printing, language) WHERE NOT graded;
COMMENT ON INDEX store.card_variant_product_id_condition_printing_language_key IS
'An ungraded sellable unit is product × condition × printing × language, once per tenant (graded slabs are keyed by
their certificate).';
-- the variants of a card (the foreign key to store.card; graded ones included)
CREATE INDEX card_variant_product_id_tenant_id_game_idx ON store.card_variant (product_id, tenant_id, game);
CREATE INDEX card_tenant_id_idx ON store.card (tenant_id);

CREATE TRIGGER card_audit AFTER INSERT OR UPDATE OR DELETE ON store.card
    FOR EACH ROW EXECUTE FUNCTION audit.track('product_id');
CREATE TRIGGER card_variant_audit AFTER INSERT OR UPDATE OR DELETE ON store.card_variant
    FOR EACH ROW EXECUTE FUNCTION audit.track('variant_id');

REVOKE ALL ON ALL TABLES IN SCHEMA store FROM PUBLIC;
-- reference data: the same for every caller
GRANT SELECT ON store.game, store.tcgplayer_condition, store.condition, store.printing, store.game_printing,
                store.grading_company, store.grading_scale, store.grading_grade
    TO mercato_anon, mercato_user, mercato_service;

-- staff permission of the store, grantable by a tenant to its custom roles
INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('store.manage', 'Manage the store''s products: TCG attributes of cards and their variants.', true);
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code IN ('PLATFORM_ADMIN', 'TENANT_ADMIN') AND r.tenant_id IS NULL AND p.code = 'store.manage';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('STORE_INVALID_CARD_ATTRIBUTE', 'store', 'PT400', 'a TCG attribute is invalid', NULL,
 'The detail is "field: reason", e.g. "grade: PSA has no grade 9.25". Raised before the write by the validation '
 'triggers of store.card and store.card_variant, whoever writes.'),
('STORE_CARD_UNIT_EXISTS', 'store', 'PT409', 'this card or unit already exists', NULL,
 'The product is already a card, the variant already carries TCG attributes, the ungraded unit (product × condition × '
 'printing × language) is already a variant, or the slab (grading company and certificate) is already listed. The '
 'detail names the field and the existing row.'),
('STORE_UNKNOWN_PRODUCT', 'store', 'PT404', 'no such product or card in the tenant', NULL,
 'Another tenant''s product is as if absent.'),
('STORE_UNKNOWN_VARIANT', 'store', 'PT404', 'no such variant in the tenant', NULL,
 'Another tenant''s variant is as if absent.');

COMMIT;
