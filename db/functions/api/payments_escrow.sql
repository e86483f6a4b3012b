-- Deploy mercato:functions/api/payments_escrow to pg
-- The HTTP API of shops, wallet payments of shop orders and goods escrow (functions/payments/shops,
-- functions/payments/escrow).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.open_shop(p_organization_id bigint, p_code core.name_text, p_name core.name_text DEFAULT NULL,
                                         p_currency core.name_text DEFAULT 'KES')
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.open_shop(p_organization_id, p_code, p_name, p_currency);
SELECT core.wrap('api.open_shop(bigint, core.name_text, core.name_text, core.name_text)',
                 'payments.open_shop(bigint, text, text, text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.place_shop_order(p_shop_id bigint, p_order core.json_doc,
                                                p_expected core.json_doc DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.place_shop_order(p_shop_id, p_order, p_expected);
SELECT core.wrap('api.place_shop_order(bigint, core.json_doc, core.json_doc)', 'payments.place_shop_order(bigint, jsonb, jsonb)',
                 'A signed-in user (as the shop''s customer).', 'mercato_user');

CREATE OR REPLACE FUNCTION api.pay_shop_order(p_order_id bigint, p_amount numeric DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.pay_shop_order(p_order_id, p_amount);
SELECT core.wrap('api.pay_shop_order(bigint, numeric)', 'payments.pay_shop_order(bigint, numeric)',
                 'The buyer who placed the shop order.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.get_shop_order(p_order_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_shop_order(p_order_id);
SELECT core.wrap('api.get_shop_order(bigint)', 'payments.get_shop_order(bigint)',
                 'The order''s buyer, its merchant''s members, a payments administrator; back office.', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.confirm_delivery(p_escrow_id bigint)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.confirm_delivery(p_escrow_id);
SELECT core.wrap('api.confirm_delivery(bigint)', 'payments.confirm_delivery(bigint)', 'The escrow''s buyer.',
                 'mercato_user');

CREATE OR REPLACE FUNCTION api.open_dispute(p_escrow_id bigint, p_reason core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.open_dispute(p_escrow_id, p_reason);
SELECT core.wrap('api.open_dispute(bigint, core.long_text)', 'payments.open_dispute(bigint, text)', 'The escrow''s buyer.',
                 'mercato_user');

CREATE OR REPLACE FUNCTION api.resolve_dispute(p_escrow_id bigint, p_buyer_amount numeric, p_note core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.resolve_dispute(p_escrow_id, p_buyer_amount, p_note);
SELECT core.wrap('api.resolve_dispute(bigint, numeric, core.long_text)', 'payments.resolve_dispute(bigint, numeric, text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.refund_escrow(p_escrow_id bigint, p_reason core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.refund_escrow(p_escrow_id, p_reason);
SELECT core.wrap('api.refund_escrow(bigint, core.long_text)', 'payments.refund_escrow(bigint, text)',
                 'The merchant''s ADMIN or OWNER.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.get_escrow(p_escrow_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_escrow(p_escrow_id);
SELECT core.wrap('api.get_escrow(bigint)', 'payments.get_escrow(bigint)',
                 'The escrow''s buyer, its merchant''s members, a payments administrator; back office.', 'mercato_user',
                 'mercato_service');

COMMIT;
