-- Deploy mercato:functions/api/payments_escrow_more to pg
-- The HTTP API of the second pass on shops, escrow and installments: cancel_shop_order (functions/payments/
-- escrow_refunds), list_escrows and list_installment_plans (functions/payments/escrow_lists).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.cancel_shop_order(p_order_id bigint, p_reason core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.cancel_shop_order(p_order_id, p_reason);
SELECT core.wrap('api.cancel_shop_order(bigint, core.long_text)', 'payments.cancel_shop_order(bigint, text)',
                 'The shop''s merchant''s ADMIN or OWNER (with orders.manage in the shop); back office.', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_escrows(p_merchant_id bigint DEFAULT NULL, p_status core.name_text DEFAULT NULL,
                                            p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, merchant_id bigint, shop_id bigint, order_id bigint, buyer_user_id bigint, currency text,
               order_total numeric, amount_held numeric, status text, funded_at timestamptz,
               release_after timestamptz, released_at timestamptz, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.merchant_id, l.shop_id, l.order_id, l.buyer_user_id, l.currency, l.order_total, l.amount_held,
           l.status, l.funded_at, l.release_after, l.released_at, l.created_at
      FROM payments.list_escrows(p_merchant_id, p_status, p_after_id, p_limit) l;
END;
SELECT core.wrap('api.list_escrows(bigint, core.name_text, bigint, integer)',
                 'payments.list_escrows(bigint, text, bigint, integer)',
                 'A buyer (its own) or a member of the merchant (p_merchant_id); back office.', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_installment_plans(p_merchant_id bigint DEFAULT NULL,
                                                      p_status core.name_text DEFAULT NULL,
                                                      p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, merchant_id bigint, shop_id bigint, order_id bigint, buyer_user_id bigint, currency text,
               total numeric, installments integer, amount_paid numeric, status text, next_due_at timestamptz,
               open_installments bigint, late_installments bigint, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.merchant_id, l.shop_id, l.order_id, l.buyer_user_id, l.currency, l.total, l.installments,
           l.amount_paid, l.status, l.next_due_at, l.open_installments, l.late_installments, l.created_at
      FROM payments.list_installment_plans(p_merchant_id, p_status, p_after_id, p_limit) l;
END;
SELECT core.wrap('api.list_installment_plans(bigint, core.name_text, bigint, integer)',
                 'payments.list_installment_plans(bigint, text, bigint, integer)',
                 'A buyer (its own) or a member of the merchant (p_merchant_id); back office.', 'mercato_user',
                 'mercato_service');

COMMIT;
