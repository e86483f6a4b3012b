-- Deploy mercato:functions/catalog/guards to pg
-- The catalog's guard trigger: a variant's amounts are in its tenant's currency, with at most that currency's minor
-- units of decimals, whoever writes (the catalog functions, a store's functions, a test as the owner).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION catalog.variant_money_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_currency char(3);
    v_units    smallint;
BEGIN
    SELECT t.currency, c.minor_units INTO v_currency, v_units
      FROM identity.tenant t LEFT JOIN masterdata.currency c ON c.code = t.currency
     WHERE t.id = NEW.tenant_id;
    IF v_currency IS NULL THEN
        PERFORM core.raise('CATALOG_NO_CURRENCY', format('tenant %s', NEW.tenant_id));
    END IF;
    NEW.currency := v_currency;
    IF scale(NEW.price) > v_units THEN
        PERFORM core.raise('CATALOG_AMOUNT_SCALE',
                           format('price %s: %s allows %s decimals', NEW.price, v_currency, v_units));
    END IF;
    IF scale(NEW.compare_at_price) > v_units THEN
        PERFORM core.raise('CATALOG_AMOUNT_SCALE',
                           format('compare_at_price %s: %s allows %s decimals', NEW.compare_at_price, v_currency, v_units));
    END IF;
    IF scale(NEW.cost) > v_units THEN
        PERFORM core.raise('CATALOG_AMOUNT_SCALE',
                           format('cost %s: %s allows %s decimals', NEW.cost, v_currency, v_units));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION catalog.variant_money_trg() IS
'Trigger (BEFORE INSERT, and UPDATE of the amounts or the currency, on catalog.variant): sets currency to the tenant''s
(CATALOG_NO_CURRENCY while it has none) and refuses a price, compare_at_price or cost with more decimals than its
minor units (CATALOG_AMOUNT_SCALE, the detail naming the field).';

CREATE OR REPLACE TRIGGER variant_money BEFORE INSERT OR UPDATE OF price, compare_at_price, cost, currency
    ON catalog.variant FOR EACH ROW EXECUTE FUNCTION catalog.variant_money_trg();

COMMIT;
