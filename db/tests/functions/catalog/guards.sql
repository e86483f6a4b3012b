-- Tests for functions/catalog/guards: the trigger variant_money, whoever writes.
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE w AS SELECT identity.create_tenant('cg-a', 'A') AS a, identity.create_tenant('cg-j', 'J') AS j;
UPDATE identity.tenant SET currency = 'USD' WHERE code = 'cg-a';
CREATE TEMP TABLE p AS
WITH x AS (INSERT INTO catalog.product (tenant_id, title) SELECT a, 'P' FROM w UNION ALL SELECT j, 'Q' FROM w RETURNING id, tenant_id)
SELECT (SELECT id FROM x WHERE tenant_id = (SELECT a FROM w)) AS pa, (SELECT id FROM x WHERE tenant_id = (SELECT j FROM w)) AS pj;

SELECT throws_like($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price) SELECT j, pj, 'J1', 100 FROM w, p$$,
                   'CATALOG_NO_CURRENCY:%', 'no variant before the tenant has a currency');
UPDATE identity.tenant SET currency = 'JPY' WHERE code = 'cg-j';
SELECT throws_like($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price) SELECT j, pj, 'J1', 100.5 FROM w, p$$,
                   'CATALOG_AMOUNT_SCALE:%', 'a yen price has no decimals');
SELECT lives_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, currency) SELECT j, pj, 'J1', 100, 'USD' FROM w, p$$,
                'a whole yen price; a currency given is replaced by the tenant''s');
SELECT is((SELECT currency::text FROM catalog.variant WHERE sku = 'J1'), 'JPY', 'the tenant''s currency');
CREATE FUNCTION pg_temp.detail_of(p_sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE v text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v = PG_EXCEPTION_DETAIL;
    RETURN v;
END
$f$;
SELECT is(pg_temp.detail_of($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, cost)
                              SELECT a, pa, 'A1', 1.25, 0.125 FROM w, p$$),
          'cost 0.125: USD allows 2 decimals', 'the detail names the field');
SELECT lives_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, compare_at_price, cost)
                  SELECT a, pa, 'A1', 1.25, 2, 0.12 FROM w, p$$, 'two decimals in dollars');
SELECT throws_like($$UPDATE catalog.variant SET compare_at_price = 2.001 WHERE sku = 'A1'$$, 'CATALOG_AMOUNT_SCALE:%',
                   'checked on update too');

SELECT * FROM finish();
ROLLBACK;
