-- Deploy mercato:functions/payments/escrow_lists to pg
-- Lists of goods escrows and installment plans (docs/payments.md, "Listing escrows and installment plans"), keyset by
-- id as payments.list_intents: a merchant's (p_merchant_id: its members, STAFF and up; the back office) or else the
-- caller's own as buyer.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.list_caller(p_merchant_id bigint, p_limit integer)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'limit must be 1-500');
    END IF;
    IF p_merchant_id IS NOT NULL THEN
        IF NOT identity.is_service() AND NOT identity.acts_for(p_merchant_id, 'STAFF') THEN
            PERFORM identity.require_user();
            PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('merchant %s', p_merchant_id));
        END IF;
        RETURN NULL;
    ELSIF identity.is_service() THEN
        RETURN NULL;
    END IF;
    RETURN (identity.require_user()).user_id;
END
$$;
COMMENT ON FUNCTION payments.list_caller(bigint, integer) IS
'Who a list of escrows or plans is for: NULL for a merchant''s list (the caller one of its members, STAFF and up, or the
back office) and for the back office''s list of everything, else the calling user (its own as buyer). Internal. Errors:
PAYMENTS_INVALID_INPUT (limit 1-500), IDENTITY_UNKNOWN_ORGANIZATION (not a member: answered as for no merchant),
IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION payments.list_escrows(p_merchant_id bigint DEFAULT NULL, p_status text DEFAULT NULL,
                                                 p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, merchant_id bigint, shop_id bigint, order_id bigint, buyer_user_id bigint, currency text,
               order_total numeric, amount_held numeric, status text, funded_at timestamptz,
               release_after timestamptz, released_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user bigint := payments.list_caller(p_merchant_id, p_limit);
BEGIN
    RETURN QUERY
    SELECT e.id, s.organization_id, e.shop_id, e.order_id, e.buyer_user_id, e.currency::text, e.order_total,
           e.amount_held, e.status, e.funded_at, e.release_after, e.released_at, e.created_at
      FROM payments.goods_escrow e JOIN payments.shop s ON s.id = e.shop_id
     WHERE (p_merchant_id IS NULL OR s.organization_id = p_merchant_id)
       AND (v_user IS NULL OR e.buyer_user_id = v_user)
       AND (p_status IS NULL OR e.status = upper(p_status))
       AND e.id > coalesce(p_after_id, 0)
     ORDER BY e.id
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.list_escrows(bigint, text, bigint, integer) IS
'Goods escrows after p_after_id (keyset, at most p_limit, optionally of one status): a merchant''s (p_merchant_id, its
members STAFF and up), else the caller''s own as buyer (the back office: all). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_UNKNOWN_ORGANIZATION, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.list_installment_plans(p_merchant_id bigint DEFAULT NULL, p_status text DEFAULT NULL,
                                                           p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, merchant_id bigint, shop_id bigint, order_id bigint, buyer_user_id bigint, currency text,
               total numeric, installments integer, amount_paid numeric, status text, next_due_at timestamptz,
               open_installments bigint, late_installments bigint, created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user bigint := payments.list_caller(p_merchant_id, p_limit);
BEGIN
    RETURN QUERY
    SELECT p.id, s.organization_id, p.shop_id, p.order_id, p.buyer_user_id, p.currency::text, p.total, p.installments,
           p.amount_paid, p.status, n.next_due_at, n.open_count, n.late_count, p.created_at
      FROM payments.installment_plan p JOIN payments.shop s ON s.id = p.shop_id
      CROSS JOIN LATERAL (SELECT min(i.due_at) FILTER (WHERE i.open) AS next_due_at, count(*) FILTER (WHERE i.open) AS open_count,
                                 count(*) FILTER (WHERE i.status = 'LATE') AS late_count
                            FROM payments.installment i WHERE i.plan_id = p.id AND i.tenant_id = p.tenant_id) n
     WHERE (p_merchant_id IS NULL OR s.organization_id = p_merchant_id)
       AND (v_user IS NULL OR p.buyer_user_id = v_user)
       AND (p_status IS NULL OR p.status = upper(p_status))
       AND p.id > coalesce(p_after_id, 0)
     ORDER BY p.id
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.list_installment_plans(bigint, text, bigint, integer) IS
'Installment plans after p_after_id (keyset, at most p_limit, optionally of one status), with the next due date and
how many installments are open and LATE: a merchant''s (p_merchant_id, its members STAFF and up), else the caller''s
own as buyer (the back office: all). Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_ORGANIZATION,
PAYMENTS_INVALID_INPUT.';

REVOKE ALL ON FUNCTION payments.list_caller(bigint, integer), payments.list_escrows(bigint, text, bigint, integer),
    payments.list_installment_plans(bigint, text, bigint, integer) FROM PUBLIC;

COMMIT;
