-- Tests for schemas/orders/loyalty: points are a currency without decimals; a tenant's rules are append-only, never
-- back-dated, and read by the tenant's users only.
BEGIN;
SELECT plan(6);

SELECT tests.inventory_world('oly');
SELECT is((SELECT minor_units::int FROM masterdata.currency WHERE code = 'QPT'), 0, 'QPT: a points unit with no decimals');
INSERT INTO orders.loyalty_rule (tenant_id, effective_from, points_per_unit, point_value)
VALUES (tests.id('a'), now(), 1, 0.01), (tests.id('b'), now(), 2, 0.05);
SELECT throws_like($$UPDATE orders.loyalty_rule SET point_value = 1$$, 'ORDERS_IMMUTABLE:%', 'rules are append-only');
SELECT throws_like($$INSERT INTO orders.loyalty_rule (tenant_id, effective_from, points_per_unit, point_value)
                     VALUES (tests.id('a'), now() - interval '1 day', 1, 0.01)$$, '%loyalty_rule_effective_from_check%',
                   'a rule never takes effect in the past');
SELECT throws_like($$INSERT INTO orders.loyalty_rule (tenant_id, effective_from, points_per_unit, point_value)
                     VALUES (tests.id('a'), now() + interval '1 day', -1, 0.01)$$, '%loyalty_rule_points_per_unit_check%',
                   'a negative rate is refused');
SELECT tests.as_user('kc|oly-a-clerk');
SELECT is((SELECT array_agg(DISTINCT tenant_id) FROM orders.loyalty_rule), ARRAY[tests.id('a')], 'a tenant''s user reads its rules only');
SELECT tests.as_service();
SELECT is((SELECT count(*)::int FROM orders.loyalty_rule WHERE tenant_id IN (tests.id('a'), tests.id('b'))), 2,
          'the back office all');

SELECT * FROM finish();
ROLLBACK;
