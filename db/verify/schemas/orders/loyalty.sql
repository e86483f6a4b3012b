-- Verify mercato:schemas/orders/loyalty on pg

BEGIN;

SELECT 1 / (SELECT count(*)::int FROM masterdata.currency WHERE code = 'QPT' AND minor_units = 0);
SELECT tenant_id, effective_from, points_per_unit, point_value, actor_user_id, created_at
  FROM orders.loyalty_rule WHERE false;
SELECT 1 / (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'orders.loyalty_rule'::regclass
             AND conname = 'loyalty_rule_points_per_unit_check');
SELECT 1 / (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'orders.loyalty_rule'::regclass
             AND conname = 'loyalty_rule_point_value_check');
SELECT 1 / (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'orders.loyalty_rule'::regclass
             AND conname = 'loyalty_rule_effective_from_check');
SELECT 1 / (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'orders.loyalty_rule'::regclass
             AND conname = 'loyalty_rule_pkey');
SELECT 1 / (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'orders.loyalty_rule'::regclass
             AND conname = 'loyalty_rule_tenant_id_fkey');
SELECT 1 / (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'orders.loyalty_rule'::regclass
             AND tgname = 'loyalty_rule_immutable' AND tgenabled <> 'D');
SELECT 1 / (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'orders.loyalty_rule'::regclass
             AND tgname = 'loyalty_rule_no_truncate' AND tgenabled <> 'D');
SELECT 1 / (SELECT relrowsecurity::int FROM pg_class WHERE oid = 'orders.loyalty_rule'::regclass);
SELECT 1 / (SELECT count(*)::int FROM pg_policies WHERE schemaname = 'orders' AND tablename = 'loyalty_rule'
             AND policyname = 'loyalty_rule_tenant');
SELECT 1 / (SELECT count(*)::int FROM pg_policies WHERE schemaname = 'orders' AND tablename = 'loyalty_rule'
             AND policyname = 'loyalty_rule_service');
SELECT 1 / has_table_privilege('mercato_user', 'orders.loyalty_rule', 'SELECT')::int;
SELECT 1 / has_table_privilege('mercato_service', 'orders.loyalty_rule', 'SELECT')::int;
SELECT 1 / (SELECT count(*)::int FROM core.error WHERE code = 'ORDERS_NO_LOYALTY_RULE');

ROLLBACK;
