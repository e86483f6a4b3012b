-- Tests for functions/store/distributors: creating and changing a tenant's distributors (code unique per tenant,
-- terms, the minimum order in the tenant currency's minor units), distributor items and the one preferred distributor
-- per variant; store.manage needed, the tenant from the caller.
BEGIN;
SELECT plan(15);

SELECT tests.purchasing_world('pud');

SELECT tests.as_user('kc|pud-a-admin');
SELECT tests.put('new', api.create_store_distributor(' star-city ', 'Star City Games', '{"rep": "Ann"}', 'Net 15', 15, 'FOB', 250.50, 3));
SELECT results_eq(format('SELECT code, tenant_id, minimum_order, payment_terms_days, lead_time_days, is_active FROM api.store_distributors WHERE id = %s', tests.id('new')),
                  format('VALUES (%L::text, %s::bigint, 250.50::numeric, 15, 3, true)', 'STAR-CITY', tests.id('a')),
                  'a distributor of the caller''s tenant, code upper-cased');
SELECT is(tests.error_of($$SELECT api.create_store_distributor('acme', 'Again')$$), 'PT409 STORE_DISTRIBUTOR_EXISTS code: ACME',
          'a code once per tenant');
SELECT tests.as_user('kc|pud-b-admin');
SELECT ok(api.create_store_distributor('ACME', 'B''s own Acme') > 0, 'another tenant may use the same code');
SELECT tests.as_user('kc|pud-a-admin');
SELECT is(tests.error_of($$SELECT api.create_store_distributor('no spaces', 'X')$$),
          'PT400 STORE_INVALID_PURCHASE code: 1 to 32 letters, digits, _ or -, starting with a letter or digit', 'a code''s form');
SELECT is(tests.error_of($$SELECT api.create_store_distributor('X1', 'X', '[1]')$$), 'PT400 STORE_INVALID_PURCHASE contact_info: an object',
          'contact details are an object');
SELECT is(tests.error_of($$SELECT api.create_store_distributor('X2', 'X', p_minimum_order => 1.005)$$),
          'PT400 STORE_INVALID_PURCHASE minimum_order: an amount from 0 below 1,000,000,000,000 USD with at most 2 decimals',
          'the minimum order in the currency''s minor units');
SELECT is(tests.error_of($$SELECT api.create_store_distributor('X3', 'X', p_payment_terms_days => -1)$$),
          'PT400 STORE_INVALID_PURCHASE payment_terms_days: 0 to 3,650 days', 'payment days >= 0');
SELECT is(api.update_store_distributor(tests.id('new'), p_is_active => false, p_minimum_order => 0), tests.id('new'), 'update_store_distributor');
SELECT results_eq(format('SELECT is_active, minimum_order, name FROM store.distributor WHERE id = %s', tests.id('new')),
                  $$VALUES (false, 0::numeric, 'Star City Games'::text)$$, 'changes what it is given, keeps the rest');
SELECT is(tests.error_of(format('SELECT api.update_store_distributor(%s, %L)', tests.id('bdist'), 'Mine')),
          format('PT404 STORE_UNKNOWN_DISTRIBUTOR distributor %s in tenant %s', tests.id('bdist'), tests.id('a')),
          'another tenant''s distributor is as if absent');

-- items and the preferred distributor
SELECT ok(api.set_store_distributor_item(tests.id('bigmin'), tests.id('v_deny'), 2.40, 'BM-1', true) > 0, 'prefer another distributor');
SELECT results_eq(format('SELECT distributor_id FROM api.store_distributor_items WHERE variant_id = %s AND is_preferred', tests.id('v_deny')),
                  format('VALUES (%s::bigint)', tests.id('bigmin')), 'the variant has one preferred distributor, the new one');
SELECT is(tests.error_of(format('SELECT api.set_store_distributor_item(%s, %s, 1)', tests.id('acme'), tests.id('v_b'))),
          format('PT404 STORE_UNKNOWN_VARIANT variant_id: variant %s in tenant %s', tests.id('v_b'), tests.id('a')),
          'never another tenant''s variant');

-- store.manage
SELECT tests.as_user('kc|pud-a-clerk');
SELECT is(tests.error_of($$SELECT api.create_store_distributor('CLERK', 'No')$$) LIKE 'PT403 IDENTITY_PERMISSION_DENIED %', true,
          'staff without store.manage may not');
SELECT tests.as_user('kc|pud-b-admin');
SELECT is(tests.error_of(format('SELECT api.create_store_distributor(%L, %L, p_tenant_id => %s)', 'X', 'X', tests.id('a'))) LIKE 'PT403 IDENTITY_TENANT_MISMATCH %',
          true, 'a tenant''s admin never acts in another tenant');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
