-- Deploy mercato:schemas/payments/escrow to pg
-- Shops and goods escrow (issue 19; docs/payments.md, "Shops, wallet payments and goods escrow"): a shop is a MERCHANT
-- organization's tenant of the shared catalog and orders modules (payments.shop links them, one shop per merchant);
-- a payments user buying there is a customer of that tenant (payments.shop_customer links the two); a shop order paid
-- from the buyer's wallet (orders.payment_method WALLET) is held in goods escrow (payments.goods_escrow, one per order,
-- with a ledger ESCROW account of its own) until the buyer confirms delivery, the auto-release date passes (policy
-- PAYMENTS_ESCROW), or an admin resolves the buyer's dispute. State moves by trigger for every writer.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO orders.payment_method (code, description) VALUES
('WALLET', 'The buyer''s payments wallet (issue 19): the money is held in goods escrow until delivery is confirmed');

CREATE TABLE payments.shop (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT shop_pkey PRIMARY KEY,
    organization_id bigint NOT NULL CONSTRAINT shop_organization_id_fkey REFERENCES identity.organization (id)
                    CONSTRAINT shop_organization_id_key UNIQUE,
    tenant_id       bigint NOT NULL CONSTRAINT shop_tenant_id_fkey REFERENCES identity.tenant (id)
                    CONSTRAINT shop_tenant_id_key UNIQUE,
    currency        char(3) NOT NULL CONSTRAINT shop_currency_fkey REFERENCES masterdata.currency (code),
    opened_by       bigint CONSTRAINT shop_opened_by_fkey REFERENCES identity.user_account (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.shop IS
'A merchant''s shop: the MERCHANT organization and the tenant its catalog, inventory and orders live in (opened with it
by payments.open_shop through identity.create_tenant, set_tenant_currency and assign_role: the merchant''s OWNER is the
tenant''s TENANT_ADMIN), in the tenant''s currency. One shop per merchant, one merchant per tenant. Never changes.';
CREATE INDEX shop_opened_by_idx ON payments.shop (opened_by);
CREATE TRIGGER shop_fixed BEFORE UPDATE OR DELETE ON payments.shop
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER shop_no_truncate BEFORE TRUNCATE ON payments.shop
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER shop_audit AFTER INSERT ON payments.shop
    FOR EACH ROW EXECUTE FUNCTION audit.track();

CREATE TABLE payments.shop_customer (
    shop_id     bigint NOT NULL CONSTRAINT shop_customer_shop_id_fkey REFERENCES payments.shop (id),
    user_id     bigint NOT NULL CONSTRAINT shop_customer_user_id_fkey REFERENCES identity.user_account (id),
    tenant_id   bigint NOT NULL,
    customer_id bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT shop_customer_pkey PRIMARY KEY (shop_id, user_id),
    CONSTRAINT shop_customer_customer_id_fkey FOREIGN KEY (customer_id, tenant_id)
        REFERENCES orders.customer (id, tenant_id),
    CONSTRAINT shop_customer_customer_id_key UNIQUE (customer_id, tenant_id)
);
COMMENT ON TABLE payments.shop_customer IS
'A payments user buying in a shop and the orders.customer row that stands for it in the shop''s tenant (created by
orders.customer_write on the first order: a platform user is no user of the shop''s tenant, so the customer row carries
no user_id and this table links them). Never changes.';
CREATE INDEX shop_customer_user_id_idx ON payments.shop_customer (user_id);
CREATE TRIGGER shop_customer_fixed BEFORE UPDATE OR DELETE ON payments.shop_customer
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER shop_customer_no_truncate BEFORE TRUNCATE ON payments.shop_customer
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

CREATE TABLE payments.goods_escrow (
    id                     bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT goods_escrow_pkey PRIMARY KEY,
    shop_id                bigint NOT NULL CONSTRAINT goods_escrow_shop_id_fkey REFERENCES payments.shop (id),
    tenant_id              bigint NOT NULL,
    order_id               bigint NOT NULL,
    buyer_user_id          bigint NOT NULL CONSTRAINT goods_escrow_buyer_user_id_fkey REFERENCES identity.user_account (id),
    account_id             bigint NOT NULL CONSTRAINT goods_escrow_account_id_fkey REFERENCES ledger.account (id)
                           CONSTRAINT goods_escrow_account_id_key UNIQUE,
    currency               char(3) NOT NULL CONSTRAINT goods_escrow_currency_fkey REFERENCES masterdata.currency (code),
    order_total            numeric NOT NULL CONSTRAINT goods_escrow_order_total_check CHECK (order_total > 0),
    amount_held            numeric NOT NULL DEFAULT 0
                           CONSTRAINT goods_escrow_amount_held_check CHECK (amount_held >= 0 AND amount_held <= order_total),
    status                 text NOT NULL DEFAULT 'HELD' CONSTRAINT goods_escrow_status_check
                           CHECK (status IN ('HELD', 'DISPUTED', 'RELEASED', 'RESOLVED', 'REFUNDED')),
    auto_release_days      integer NOT NULL
                           CONSTRAINT goods_escrow_auto_release_days_check CHECK (auto_release_days BETWEEN 1 AND 365),
    policy_version         integer NOT NULL,
    funded_at              timestamptz,
    release_after          timestamptz,
    disputed_at            timestamptz,
    dispute_reason         text CONSTRAINT goods_escrow_dispute_reason_check CHECK (length(btrim(dispute_reason)) BETWEEN 1 AND 500),
    released_at            timestamptz,
    released_by            text CONSTRAINT goods_escrow_released_by_check CHECK (released_by IN ('BUYER', 'AUTO', 'ADMIN', 'CANCEL', 'MERCHANT')),
    buyer_amount           numeric CONSTRAINT goods_escrow_buyer_amount_check CHECK (buyer_amount >= 0),
    merchant_amount        numeric CONSTRAINT goods_escrow_merchant_amount_check CHECK (merchant_amount >= 0),
    fee                    numeric CONSTRAINT goods_escrow_fee_check CHECK (fee >= 0 AND fee <= merchant_amount),
    fee_rule_id            bigint CONSTRAINT goods_escrow_fee_rule_id_fkey REFERENCES payments.fee_rule (id),
    resolved_by            bigint CONSTRAINT goods_escrow_resolved_by_fkey REFERENCES identity.user_account (id),
    resolution_note        text CONSTRAINT goods_escrow_resolution_note_check CHECK (length(btrim(resolution_note)) BETWEEN 1 AND 500),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT goods_escrow_order_id_fkey FOREIGN KEY (order_id, tenant_id) REFERENCES orders.sales_order (id, tenant_id),
    CONSTRAINT goods_escrow_order_id_key UNIQUE (order_id, tenant_id),
    -- released or resolved: the split is recorded and adds up to what was held
    CONSTRAINT goods_escrow_settled_check CHECK ((status IN ('RELEASED', 'RESOLVED', 'REFUNDED')) = (released_at IS NOT NULL)
        AND (released_at IS NULL OR (released_by IS NOT NULL AND buyer_amount + merchant_amount = amount_held
                                     AND fee IS NOT NULL))),
    CONSTRAINT goods_escrow_disputed_check CHECK ((disputed_at IS NULL) = (dispute_reason IS NULL)
        AND (status NOT IN ('DISPUTED', 'RESOLVED') OR disputed_at IS NOT NULL)),
    CONSTRAINT goods_escrow_funded_check CHECK ((funded_at IS NOT NULL) = (amount_held = order_total)
        AND (release_after IS NULL OR funded_at IS NOT NULL))
) WITH (fillfactor = 80);
COMMENT ON TABLE payments.goods_escrow IS
'The goods escrow of a shop order paid by wallet: the buyer''s money held in a ledger ESCROW account of its own
(account_id, owner SHOP_ORDER/<order id>) until HELD -> RELEASED (the buyer confirms delivery, or auto-release
release_after = funded_at + auto_release_days of the policy PAYMENTS_ESCROW in force when it was funded: to the
merchant''s wallet minus the PAYMENT fee), HELD -> DISPUTED (the buyer, before release: freezes every release) ->
RESOLVED (an admin splits it between buyer and merchant), or HELD / DISPUTED -> REFUNDED (the merchant refunds it all,
or an installment plan is cancelled). RELEASED,
RESOLVED and REFUNDED are final: released once. amount_held grows with each wallet payment up to the order''s total;
an escrow is releasable only once funded (lay-away: an installment plan''s goods stay until the plan is paid). Moves
only along payments.escrow_transition_trg, whoever writes.';
COMMENT ON COLUMN payments.goods_escrow.release_after IS
'When the auto-release job releases a HELD, funded escrow (NULL: not funded yet, or no longer HELD).';
CREATE INDEX goods_escrow_shop_id_idx ON payments.goods_escrow (shop_id);
CREATE INDEX goods_escrow_buyer_user_id_idx ON payments.goods_escrow (buyer_user_id);
CREATE INDEX goods_escrow_fee_rule_id_idx ON payments.goods_escrow (fee_rule_id);
CREATE INDEX goods_escrow_resolved_by_idx ON payments.goods_escrow (resolved_by);
CREATE INDEX goods_escrow_release_after_idx ON payments.goods_escrow (release_after) WHERE release_after IS NOT NULL;
CREATE TRIGGER goods_escrow_no_delete BEFORE DELETE OR TRUNCATE ON payments.goods_escrow
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER goods_escrow_audit AFTER INSERT OR UPDATE ON payments.goods_escrow
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON payments.shop, payments.shop_customer, payments.goods_escrow FROM PUBLIC;

-- The auto-release delay, versioned (masterdata.add_policy_version appends a new one; an escrow keeps the delay of the
-- version in force when it was funded).
INSERT INTO masterdata.policy_version (policy_code, version, effective_from, body, note)
VALUES ('PAYMENTS_ESCROW', 1, '2026-01-01T00:00:00Z', '{"auto_release_days": 14}',
        'Goods escrow (issue 19): days after funding when a HELD escrow is released to the merchant by the job.');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_UNKNOWN_SHOP', 'payments', 'PT404', 'no such shop', NULL,
 'No shop with this id or code, or an order of no shop.'),
('PAYMENTS_SHOP_EXISTS', 'payments', 'PT409', 'the merchant already has a shop', NULL,
 'One shop per merchant organization; the detail names it.'),
('PAYMENTS_UNKNOWN_ESCROW', 'payments', 'PT404', 'no such escrow', NULL,
 'No goods escrow with this id, or one the caller may not see (answered alike): the buyer''s, its merchant''s members'', '
 'the back office''s.'),
('PAYMENTS_ESCROW_STATE', 'payments', 'PT409', 'the escrow is not in a state that allows this', NULL,
 'A release, dispute or resolution of an escrow that has moved on (released once, resolved once, a dispute freezes '
 'every release); the detail names the escrow and its state.'),
('PAYMENTS_ESCROW_NOT_FUNDED', 'payments', 'PT409', 'the escrow does not hold the order''s total yet', NULL,
 'Goods escrow is released only once the order is paid in full (lay-away: an installment plan''s goods stay in escrow '
 'until the plan is paid).');

COMMIT;
