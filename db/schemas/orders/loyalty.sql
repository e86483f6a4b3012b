-- Deploy mercato:schemas/orders/loyalty to pg
-- Loyalty points of the orders module (issue 18): points are a ledger in a unit of their own, the currency QPT with no
-- minor units (ISO 4217 leaves QMA-QZZ to user assignment), so the ledger's every rule (balanced postings, no balance
-- below zero, unique references) holds for points as for money. orders.loyalty_rule is each tenant's rule, versioned
-- by effective time and append-only: points earned per 1 unit of the tenant's currency paid, and the value of one
-- point (in the tenant's currency) when redeemed.
-- The module's row-level security change (schemas/orders/rls) was released to main before this table existed and is
-- not edited: this change enables row-level security on its own table with the same rule as orders.tax_rate.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO masterdata.currency (code, name, minor_units) VALUES ('QPT', 'Loyalty points', 0);

CREATE TABLE orders.loyalty_rule (
    tenant_id       bigint NOT NULL CONSTRAINT loyalty_rule_tenant_id_fkey REFERENCES identity.tenant (id),
    effective_from  timestamptz NOT NULL,
    points_per_unit numeric NOT NULL CONSTRAINT loyalty_rule_points_per_unit_check
                    CHECK (points_per_unit >= 0 AND points_per_unit < 1000000 AND scale(points_per_unit) <= 6),
    point_value     numeric NOT NULL CONSTRAINT loyalty_rule_point_value_check
                    CHECK (point_value >= 0 AND point_value < 1000000 AND scale(point_value) <= 4),
    actor_user_id   bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT loyalty_rule_pkey PRIMARY KEY (tenant_id, effective_from),
    CONSTRAINT loyalty_rule_effective_from_check CHECK (effective_from >= created_at - interval '1 minute')
);
COMMENT ON TABLE orders.loyalty_rule IS
'A tenant''s loyalty rule from effective_from until the next row of the tenant: points_per_unit points are earned per 1
unit of the tenant''s currency paid on a FULFILLED order (floor of the product), and one point is worth point_value
(tenant currency, at most its minor units) when redeemed. Rows are added, never changed (a new row replaces a rule from
its time on) and never take effect in the past, so what an order earned stays reproducible.';
CREATE TRIGGER loyalty_rule_immutable BEFORE UPDATE OR DELETE ON orders.loyalty_rule
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');
CREATE TRIGGER loyalty_rule_no_truncate BEFORE TRUNCATE ON orders.loyalty_rule
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');
REVOKE ALL ON orders.loyalty_rule FROM PUBLIC;

ALTER TABLE orders.loyalty_rule ENABLE ROW LEVEL SECURITY;
CREATE POLICY loyalty_rule_tenant ON orders.loyalty_rule FOR SELECT TO mercato_user
    USING (loyalty_rule.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY loyalty_rule_service ON orders.loyalty_rule FOR SELECT TO mercato_service USING (true);
GRANT SELECT ON orders.loyalty_rule TO mercato_user, mercato_service;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('ORDERS_NO_LOYALTY_RULE', 'orders', 'PT409', 'the tenant has no loyalty rule in force',
 'set one with set_loyalty_rule',
 'Redeeming points needs the value of a point: a loyalty rule of the tenant in force now.');

COMMIT;
