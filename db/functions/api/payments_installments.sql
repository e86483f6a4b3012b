-- Deploy mercato:functions/api/payments_installments to pg
-- The HTTP API of installment plans (functions/payments/installments).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.create_installment_plan(p_order_id bigint, p_installments integer,
                                                       p_interval_days integer DEFAULT 30,
                                                       p_first_due_at core.finite_timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.create_installment_plan(p_order_id, p_installments, p_interval_days, p_first_due_at);
SELECT core.wrap('api.create_installment_plan(bigint, integer, integer, core.finite_timestamptz)',
                 'payments.create_installment_plan(bigint, integer, integer, timestamptz)',
                 'The buyer who placed the shop order.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.pay_installment(p_installment_id bigint)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.pay_installment(p_installment_id);
SELECT core.wrap('api.pay_installment(bigint)', 'payments.pay_installment(bigint)', 'The plan''s buyer.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.cancel_installment_plan(p_plan_id bigint)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.cancel_installment_plan(p_plan_id);
SELECT core.wrap('api.cancel_installment_plan(bigint)', 'payments.cancel_installment_plan(bigint)',
                 'The plan''s buyer, a payments administrator (payments.manage); back office.', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_installment_plan(p_plan_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_installment_plan(p_plan_id);
SELECT core.wrap('api.get_installment_plan(bigint)', 'payments.get_installment_plan(bigint)',
                 'The plan''s buyer, its merchant''s members, a payments administrator; back office.', 'mercato_user',
                 'mercato_service');

COMMIT;
