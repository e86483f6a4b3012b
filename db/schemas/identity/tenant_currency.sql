-- Deploy mercato:schemas/identity/tenant_currency to pg
-- The tenant's currency (issue 18): identity.tenant.currency, NULL until the platform sets it, then fixed. A shop's
-- catalog prices, stock costs and orders are in it; their scale is checked against masterdata.currency.minor_units.
-- Set once by a platform administrator or the back office (identity.set_tenant_currency, functions/identity/
-- tenant_currency): changing it would reinterpret every amount already written, so a set currency never changes.
-- char(3) like every other currency column (masterdata.currency.code).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE identity.tenant ADD COLUMN currency char(3);
-- identity.tenant is a small catalogue of shops when this deploys: the validation holds its lock for no time.
ALTER TABLE identity.tenant ADD CONSTRAINT tenant_currency_fkey
    FOREIGN KEY (currency) REFERENCES masterdata.currency (code) NOT VALID;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.tenant VALIDATE CONSTRAINT tenant_currency_fkey;
-- The target of the composite foreign keys (tenant_id, currency) of amounts kept in the tenant's currency
-- (catalog.variant): an amount row can only carry its tenant's currency. identity.tenant is a small catalogue of shops.
-- squawk-ignore disallowed-unique-constraint, constraint-missing-not-valid
ALTER TABLE identity.tenant ADD CONSTRAINT tenant_id_currency_key UNIQUE (id, currency);
COMMENT ON CONSTRAINT tenant_id_currency_key ON identity.tenant IS
'(id, currency): referenced by the composite foreign keys of rows whose amounts are in their tenant''s currency.';
COMMENT ON COLUMN identity.tenant.currency IS
'The tenant''s currency (masterdata.currency): its catalog prices, costs and orders are in it, with at most its
minor_units decimals. NULL until a platform administrator or the back office sets it (identity.set_tenant_currency);
never changes once set.';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_TENANT_CURRENCY_SET', 'identity', 'PT409', 'the tenant''s currency is already set', NULL,
 'identity.set_tenant_currency: a tenant''s currency is set once; its amounts were written in it, so it never changes. '
 'Setting the same currency again is accepted.');

COMMIT;
