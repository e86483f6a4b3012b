-- Deploy mercato:functions/catalog/search to pg
-- Catalog search: one page of a tenant's products matching a query and filters, ranked, with a keyset cursor.
-- Candidates come from the full-text document (product_search_idx: title weighted A, description B, vendor C; every
-- word of the query, the last ones as prefixes) and from a SKU or barcode containing the query (variant_sku_trgm_idx,
-- variant_barcode_trgm_idx: a partial SKU); only a query neither matches (a misspelt one) falls back to the title's
-- trigram word similarity (product_title_trgm_idx, threshold 0.5) — always on, a common title word made the trigrams
-- score most of a large catalog. The score adds the full-text rank, half the title's word similarity and a
-- SKU/barcode bonus (1 for an exact match, 0.5 for a part), rounded to 6 decimals so that it is exact in the cursor;
-- the order is score descending, then product id. Without a query the tenant's products are read in id order from
-- the cursor on (the (tenant_id, id) index) and the read stops at the page, with every filter.
BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- Call pg_trgm once so that its library, and with it the setting pg_trgm.word_similarity_threshold, is loaded: a
-- function's SET clause may name an extension's setting only once it is known (as mercato_owner, not a superuser).
SELECT public.similarity('', '');

CREATE OR REPLACE FUNCTION catalog.search_cursor(p_score numeric, p_id bigint)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN translate(encode(convert_to(format('v1:%s:%s', p_score, p_id), 'UTF8'), 'base64'), E'\n', '');
COMMENT ON FUNCTION catalog.search_cursor(numeric, bigint) IS
'The opaque keyset cursor of a search row: its score and product id, base64. Internal.';

CREATE OR REPLACE FUNCTION catalog.parse_search_cursor(p_cursor text, OUT score numeric, OUT id bigint)
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_parts text[];
BEGIN
    IF p_cursor IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        v_parts := string_to_array(convert_from(decode(p_cursor, 'base64'), 'UTF8'), ':');
        IF cardinality(v_parts) <> 3 OR v_parts[1] <> 'v1' THEN
            RAISE invalid_parameter_value;
        END IF;
        score := v_parts[2]::numeric;
        id := v_parts[3]::bigint;
    EXCEPTION WHEN OTHERS THEN
        PERFORM core.raise('CATALOG_INVALID_CURSOR', left(p_cursor, 100));
    END;
    IF score IS NULL OR id IS NULL OR score = 'NaN'::numeric THEN
        PERFORM core.raise('CATALOG_INVALID_CURSOR', left(p_cursor, 100));
    END IF;
END
$$;
COMMENT ON FUNCTION catalog.parse_search_cursor(text) IS
'The score and product id a search cursor holds (both NULL for no cursor); CATALOG_INVALID_CURSOR when it is not one.
Internal.';

CREATE OR REPLACE FUNCTION catalog.search(p_query text DEFAULT NULL, p_filters jsonb DEFAULT '{}', p_limit integer DEFAULT 20,
                                         p_cursor text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (product_id bigint, title text, vendor text, product_type text, category text, tags text[], status text,
               published_at timestamptz, currency text, min_price numeric, max_price numeric, variant_count integer,
               score numeric, cursor text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- a misspelt word ("charzard" for "Charizard") shares about 0.6 of its trigrams with the word meant; pg_trgm's default
-- of 0.6 misses half of them
SET pg_trgm.word_similarity_threshold = 0.5
AS $$
#variable_conflict use_column
DECLARE
    v_tenant   bigint := catalog.read_tenant(p_tenant_id);
    f          jsonb := catalog.doc_keys(coalesce(p_filters, '{}'), ARRAY['category', 'tags', 'status', 'vendor',
                                         'product_type', 'price_min', 'price_max', 'metadata', 'variant_metadata']);
    q          text := nullif(btrim(p_query), '');
    v_category text := catalog.doc_text(f, 'category');
    v_vendor   text := catalog.doc_text(f, 'vendor');
    v_type     text := catalog.doc_text(f, 'product_type');
    v_tags     text[] := catalog.doc_tags(f, 'tags');
    v_min      numeric := catalog.doc_numeric(f, 'price_min');
    v_max      numeric := catalog.doc_numeric(f, 'price_max');
    v_meta     jsonb := catalog.doc_object(f, 'metadata');
    v_vmeta    jsonb := catalog.doc_object(f, 'variant_metadata');
    v_statuses text[];
    v_after    record := catalog.parse_search_cursor(p_cursor);
    v_tsq      tsquery;
    v_like     text;
    v_fuzzy    boolean := false;
    v_from_id  bigint := 0;
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100 THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'p_limit: 1 to 100');
    END IF;
    IF length(q) > 256 THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'p_query: at most 256 characters');
    END IF;
    IF f ? 'status' AND jsonb_typeof(f -> 'status') <> 'null' THEN
        v_statuses := CASE jsonb_typeof(f -> 'status') WHEN 'string' THEN ARRAY[upper(f ->> 'status')]
                           WHEN 'array' THEN ARRAY(SELECT upper(s) FROM jsonb_array_elements_text(f -> 'status') s) END;
        IF v_statuses IS NULL OR cardinality(v_statuses) = 0
           OR EXISTS (SELECT 1 FROM unnest(v_statuses) s WHERE s IS NULL OR s NOT IN ('DRAFT', 'ACTIVE', 'ARCHIVED')) THEN
            PERFORM core.raise('CATALOG_INVALID_INPUT', 'status: DRAFT, ACTIVE or ARCHIVED, or a list of them');
        END IF;
    END IF;
    IF v_min < 0 OR v_max < 0 OR v_min > v_max THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'price_min, price_max: 0 <= price_min <= price_max');
    END IF;

    IF q IS NOT NULL THEN
        -- every word of the query, as a prefix: "chari" finds "Charizard"
        SELECT to_tsquery('simple', string_agg(quote_literal(w) || ':*', ' & ' ORDER BY n)) INTO v_tsq
          FROM (SELECT w, n FROM regexp_split_to_table(lower(q), '[^[:alnum:]]+') WITH ORDINALITY AS x(w, n)
                 WHERE w <> '' LIMIT 16) words;
        v_like := '%' || replace(replace(replace(lower(q), '\', '\\'), '%', '\%'), '_', '\_') || '%';
        -- the title's trigrams only when neither the full text nor a SKU or barcode finds anything: a misspelt query
        -- (decided per query and catalog, not per page, so that the cursor stays stable)
        v_fuzzy := NOT EXISTS (SELECT 1 FROM catalog.product p WHERE p.tenant_id = v_tenant AND p.search @@ v_tsq)
                   AND NOT EXISTS (SELECT 1 FROM catalog.variant v WHERE v.tenant_id = v_tenant
                                      AND (lower(v.sku) LIKE v_like OR v.barcode LIKE v_like));
    ELSIF v_after.id IS NOT NULL THEN
        -- without a query every score is 0: the keyset is the product id alone (a cursor of a higher score comes
        -- before every row, one of a lower score after them all)
        v_from_id := CASE WHEN v_after.score > 0 THEN 0 WHEN v_after.score = 0 THEN v_after.id
                          ELSE 9223372036854775807 END;
    END IF;

    IF q IS NULL THEN
        -- the tenant's products in id order from the cursor on (product_tenant_id_id_idx), stopped at the page
        RETURN QUERY
        WITH page AS (
            SELECT p.*, 0::numeric AS sc FROM catalog.product p
             WHERE p.tenant_id = v_tenant AND p.id > v_from_id
               AND (v_category IS NULL OR p.category = v_category)
               AND (v_vendor IS NULL OR p.vendor = v_vendor)
               AND (v_type IS NULL OR p.product_type = v_type)
               AND (v_tags IS NULL OR p.tags @> v_tags)
               AND (v_statuses IS NULL OR p.status = ANY (v_statuses))
               AND (v_meta IS NULL OR p.metadata @> v_meta)
               AND (v_min IS NULL AND v_max IS NULL AND v_vmeta IS NULL
                    OR EXISTS (SELECT 1 FROM catalog.variant v
                                WHERE v.product_id = p.id AND v.tenant_id = p.tenant_id AND v.status = 'ACTIVE'
                                  AND (v_min IS NULL OR v.price >= v_min) AND (v_max IS NULL OR v.price <= v_max)
                                  AND (v_vmeta IS NULL OR v.metadata @> v_vmeta)))
             ORDER BY p.id
             LIMIT p_limit
        )
        SELECT pg.id, pg.title, pg.vendor, pg.product_type, pg.category, pg.tags, pg.status, pg.published_at,
               (SELECT t.currency::text FROM identity.tenant t WHERE t.id = v_tenant),
               pr.min_price, pr.max_price, pr.variant_count, pg.sc, catalog.search_cursor(pg.sc, pg.id)
          FROM page pg
          LEFT JOIN LATERAL (SELECT min(v.price) AS min_price, max(v.price) AS max_price, count(*)::integer AS variant_count
                               FROM catalog.variant v
                              WHERE v.product_id = pg.id AND v.tenant_id = pg.tenant_id AND v.status = 'ACTIVE') pr ON true
         ORDER BY pg.sc DESC, pg.id;
        RETURN;
    END IF;

    RETURN QUERY
    WITH hit AS (
        SELECT p.id AS pid, 0::numeric AS bonus FROM catalog.product p
         WHERE v_tsq IS NOT NULL AND p.tenant_id = v_tenant AND p.search @@ v_tsq
        UNION ALL
        SELECT p.id, 0 FROM catalog.product p
         WHERE v_fuzzy AND p.tenant_id = v_tenant AND lower(q) OPERATOR(public.<%) lower(p.title)
        UNION ALL
        SELECT v.product_id, CASE WHEN lower(v.sku) = lower(q) OR v.barcode = q THEN 1.0 ELSE 0.5 END
          FROM catalog.variant v
         WHERE NOT v_fuzzy AND v.tenant_id = v_tenant AND (lower(v.sku) LIKE v_like OR v.barcode LIKE v_like)
    ), candidate AS (
        SELECT h.pid, max(h.bonus) AS bonus FROM hit h GROUP BY h.pid
    ), scored AS (
        -- filtered first, then scored: only the rows that can be shown are ranked
        SELECT p.id, round((coalesce(ts_rank(p.search, v_tsq), 0)
                            + 0.5 * public.word_similarity(lower(q), lower(p.title)))::numeric + c.bonus, 6) AS sc
          FROM candidate c
          JOIN catalog.product p ON p.id = c.pid AND p.tenant_id = v_tenant
         WHERE (v_category IS NULL OR p.category = v_category)
           AND (v_vendor IS NULL OR p.vendor = v_vendor)
           AND (v_type IS NULL OR p.product_type = v_type)
           AND (v_tags IS NULL OR p.tags @> v_tags)
           AND (v_statuses IS NULL OR p.status = ANY (v_statuses))
           AND (v_meta IS NULL OR p.metadata @> v_meta)
           AND (v_min IS NULL AND v_max IS NULL AND v_vmeta IS NULL
                OR EXISTS (SELECT 1 FROM catalog.variant v
                            WHERE v.product_id = p.id AND v.tenant_id = p.tenant_id AND v.status = 'ACTIVE'
                              AND (v_min IS NULL OR v.price >= v_min) AND (v_max IS NULL OR v.price <= v_max)
                              AND (v_vmeta IS NULL OR v.metadata @> v_vmeta)))
    ), ranked AS (
        SELECT s.id, s.sc FROM scored s
         WHERE v_after.id IS NULL OR s.sc < v_after.score OR (s.sc = v_after.score AND s.id > v_after.id)
         ORDER BY s.sc DESC, s.id
         LIMIT p_limit
    ), page AS (
        SELECT p.*, r.sc FROM ranked r JOIN catalog.product p ON p.id = r.id
    )
    SELECT pg.id, pg.title, pg.vendor, pg.product_type, pg.category, pg.tags, pg.status, pg.published_at,
           (SELECT t.currency::text FROM identity.tenant t WHERE t.id = v_tenant),
           pr.min_price, pr.max_price, pr.variant_count, pg.sc, catalog.search_cursor(pg.sc, pg.id)
      FROM page pg
      LEFT JOIN LATERAL (SELECT min(v.price) AS min_price, max(v.price) AS max_price, count(*)::integer AS variant_count
                           FROM catalog.variant v
                          WHERE v.product_id = pg.id AND v.tenant_id = pg.tenant_id AND v.status = 'ACTIVE') pr ON true
     ORDER BY pg.sc DESC, pg.id;
END
$$;
COMMENT ON FUNCTION catalog.search(text, jsonb, integer, text, bigint) IS
'Search the caller''s tenant''s products; returns one page (p_limit, 1-100, default 20) ranked by score, then product id.
p_query matches the title, description and vendor by full text (weighted title > description > vendor; words as
prefixes) and a SKU or barcode containing it; when neither finds anything (a misspelt query), the titles by trigram
similarity. No query lists every product by id. p_filters: {"category", "vendor", "product_type" (equal), "tags" (all of them), "status" (one or a list of
DRAFT, ACTIVE, ARCHIVED), "price_min", "price_max" (an ACTIVE variant priced within), "metadata" (the product''s
contains this object), "variant_metadata" (an ACTIVE variant''s contains it)}; a store extends the search through the
metadata filters. Each row carries the ACTIVE variants'' price range and count, the tenant''s currency, its score and
its cursor: pass the last row''s cursor as p_cursor for the next page (keyset: every row exactly once while the
catalog does not change). Any user of the tenant; a platform user holding catalog.manage or the back office names the
tenant. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_TENANT_MISMATCH, IDENTITY_PERMISSION_DENIED, CATALOG_INVALID_INPUT,
CATALOG_INVALID_CURSOR.';

COMMIT;
