-- Tests for functions/contracts/reads: a party reads its contracts (a provider only its own lines), an admin all.
BEGIN;
SELECT plan(6);

SELECT tests.put(k, v) FROM tests.contracts_world();
-- Contract A (biz-1; lines of P1 and P2), and contracts B and C of biz-2 with P1 only.
SELECT tests.put('ca', (contracts.create_contract(tests.id('rfq_a'))).id);
SELECT tests.put('rfq_' || x.n, a.rfq_id)
  FROM (VALUES ('b', 40), ('c', 5)) AS x(n, starts),
       LATERAL tests.awarded_rfq(tests.id('b2'), current_date + x.starts, current_date + x.starts + 10,
                                 jsonb_build_array(jsonb_build_object('vehicle_type', 'SEDAN', 'quantity', 1,
                                                                      'provider_id', tests.id('p1'), 'unit_price', 50.00))) a;
SELECT tests.put('cb', (contracts.create_contract(tests.id('rfq_b'))).id);
SELECT tests.put('cc', (contracts.create_contract(tests.id('rfq_c'))).id);

SELECT volatility_is('contracts', 'get_contract', ARRAY['bigint'], 'stable', 'reads are STABLE');
SELECT tests.as_user('prov-2');
SELECT is(jsonb_array_length(api.contract(tests.id('ca')) -> 'lines'), 1, 'a provider sees only its own lines');
SELECT is((SELECT count(*) FROM api.contracts()), 1::bigint, 'and lists only contracts it is party to');
SELECT throws_like($$SELECT api.contract(tests.id('cc'))$$, 'CONTRACTS_FORBIDDEN:%', 'not others');
SELECT tests.as_user('biz-1');
SELECT is(jsonb_array_length(api.contract(tests.id('ca')) -> 'lines'), 2, 'the business sees every line');
SELECT tests.as_user('root-1');
SELECT is((SELECT count(*) FROM api.contracts()), 3::bigint, 'an admin lists all contracts');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
