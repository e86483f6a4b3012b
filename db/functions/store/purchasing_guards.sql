-- Deploy mercato:functions/store/purchasing_guards to pg
-- The purchasing rules that hold whoever writes (the store's functions, a migration, a test as the owner):
-- * purchasing_money: amounts in the tenant's currency with at most its minor units (distributor minimum order, item and
--   line unit costs, a purchase order's tax and shipping);
-- * purchase_order_guard: the status machine (DRAFT → SUBMITTED → CONFIRMED → PARTIAL → RECEIVED; CANCELLED from DRAFT,
--   SUBMITTED, CONFIRMED, PARTIAL), a closed order never changes, the terms change only in a DRAFT, a subtotal is the sum
--   of the lines; it stamps submitted_at, confirmed_at and closed_at;
-- * purchase_order_line_guard: lines are added, changed and removed only in a DRAFT; quantity received only grows, and
--   only while the order takes receipts (SUBMITTED, CONFIRMED, PARTIAL);
-- * purchase_order_line_totals (per statement, with its transition table): the database sets the subtotal (the sum of
--   the lines' line_total) and the total (subtotal + tax + shipping) of every order whose lines changed.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.purchasing_money_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row      jsonb := to_jsonb(NEW);
    v_currency char(3);
    v_units    smallint;
    v_column   text;
    v_amount   numeric;
BEGIN
    SELECT t.currency, c.minor_units INTO v_currency, v_units
      FROM identity.tenant t LEFT JOIN masterdata.currency c ON c.code = t.currency
     WHERE t.id = NEW.tenant_id;
    IF v_currency IS NULL THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE',
                           format('currency: tenant %s has no currency yet (the platform sets it)', NEW.tenant_id));
    END IF;
    FOREACH v_column IN ARRAY TG_ARGV LOOP
        v_amount := (v_row ->> v_column)::numeric;
        IF scale(v_amount) > v_units THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE',
                               format('%s: %s allows %s decimals, not %s', v_column, v_currency, v_units, v_amount));
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.purchasing_money_trg() IS
'Trigger (BEFORE INSERT and UPDATE of the amounts, on the purchasing tables): the amount columns named as its arguments
have at most the tenant currency''s minor units of decimals, and the tenant has a currency; else STORE_INVALID_PURCHASE
naming the column. Whoever writes.';

CREATE OR REPLACE TRIGGER distributor_money BEFORE INSERT OR UPDATE OF minimum_order ON store.distributor
    FOR EACH ROW EXECUTE FUNCTION store.purchasing_money_trg('minimum_order');
CREATE OR REPLACE TRIGGER distributor_item_money BEFORE INSERT OR UPDATE OF unit_cost ON store.distributor_item
    FOR EACH ROW EXECUTE FUNCTION store.purchasing_money_trg('unit_cost');
CREATE OR REPLACE TRIGGER purchase_order_money BEFORE INSERT OR UPDATE OF tax_amount, shipping_amount ON store.purchase_order
    FOR EACH ROW EXECUTE FUNCTION store.purchasing_money_trg('tax_amount', 'shipping_amount');
CREATE OR REPLACE TRIGGER purchase_order_line_money BEFORE INSERT OR UPDATE OF unit_cost ON store.purchase_order_line
    FOR EACH ROW EXECUTE FUNCTION store.purchasing_money_trg('unit_cost');

CREATE OR REPLACE FUNCTION store.purchase_order_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sum numeric;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'DRAFT' THEN
            PERFORM core.raise('STORE_PO_TRANSITION', format('a purchase order starts as a DRAFT, not %s', NEW.status));
        ELSIF NEW.subtotal <> 0 THEN
            PERFORM core.raise('STORE_PO_TOTAL_MISMATCH',
                               format('a new purchase order has no lines: subtotal 0, not %s', NEW.subtotal));
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.tenant_id, NEW.po_number, NEW.currency, NEW.created_by, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.tenant_id, OLD.po_number, OLD.currency, OLD.created_by, OLD.created_at) THEN
        PERFORM core.raise('STORE_IMMUTABLE', format('purchase order %s: its number, tenant, currency and author never change',
                                                     OLD.po_number));
    ELSIF OLD.status IN ('RECEIVED', 'CANCELLED') THEN
        PERFORM core.raise('STORE_PO_TRANSITION', format('purchase order %s is %s: it no longer changes', OLD.po_number,
                                                         OLD.status));
    ELSIF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
            ('DRAFT', 'SUBMITTED'), ('DRAFT', 'CANCELLED'),
            ('SUBMITTED', 'CONFIRMED'), ('SUBMITTED', 'PARTIAL'), ('SUBMITTED', 'RECEIVED'), ('SUBMITTED', 'CANCELLED'),
            ('CONFIRMED', 'PARTIAL'), ('CONFIRMED', 'RECEIVED'), ('CONFIRMED', 'CANCELLED'),
            ('PARTIAL', 'RECEIVED'), ('PARTIAL', 'CANCELLED')) THEN
        PERFORM core.raise('STORE_PO_TRANSITION', format('purchase order %s is %s: it cannot become %s', OLD.po_number,
                                                         OLD.status, NEW.status));
    ELSIF OLD.status <> 'DRAFT'
          AND (NEW.distributor_id, NEW.ship_to_location_id, NEW.order_date, NEW.subtotal)
              IS DISTINCT FROM (OLD.distributor_id, OLD.ship_to_location_id, OLD.order_date, OLD.subtotal) THEN
        PERFORM core.raise('STORE_PO_NOT_DRAFT', format('purchase order %s is %s: its distributor, location, date and lines '
                                                        'change only in a DRAFT', OLD.po_number, OLD.status));
    END IF;
    IF NEW.subtotal IS DISTINCT FROM OLD.subtotal THEN
        SELECT coalesce(sum(l.line_total), 0) INTO v_sum
          FROM store.purchase_order_line l WHERE l.purchase_order_id = NEW.id;
        IF NEW.subtotal <> v_sum THEN
            PERFORM core.raise('STORE_PO_TOTAL_MISMATCH',
                               format('purchase order %s: subtotal %s, but its lines sum to %s', OLD.po_number,
                                      NEW.subtotal, v_sum));
        END IF;
    END IF;
    IF NEW.status <> OLD.status THEN
        CASE NEW.status
            WHEN 'SUBMITTED' THEN NEW.submitted_at := now();
            WHEN 'CONFIRMED' THEN NEW.confirmed_at := now();
            WHEN 'RECEIVED', 'CANCELLED' THEN NEW.closed_at := now();
            ELSE NULL;
        END CASE;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.purchase_order_guard_trg() IS
'Trigger purchase_order_guard (BEFORE INSERT OR UPDATE of store.purchase_order), whoever writes: a new order is a DRAFT
with subtotal 0; the status moves DRAFT → SUBMITTED → CONFIRMED → PARTIAL → RECEIVED (receipts may skip CONFIRMED),
CANCELLED from DRAFT, SUBMITTED, CONFIRMED or PARTIAL, else STORE_PO_TRANSITION; a RECEIVED or CANCELLED order never
changes; distributor, location, order date and lines (so the subtotal) change only in a DRAFT (STORE_PO_NOT_DRAFT);
number, tenant, currency and author never (STORE_IMMUTABLE); a subtotal is the sum of the lines (STORE_PO_TOTAL_MISMATCH;
the CHECK keeps total = subtotal + tax + shipping). Stamps submitted_at, confirmed_at, closed_at and updated_at.';

CREATE OR REPLACE TRIGGER purchase_order_guard BEFORE INSERT OR UPDATE ON store.purchase_order
    FOR EACH ROW EXECUTE FUNCTION store.purchase_order_guard_trg();

CREATE OR REPLACE FUNCTION store.purchase_order_line_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_line   store.purchase_order_line := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    v_status text;
    v_number text;
BEGIN
    SELECT o.status, o.po_number INTO v_status, v_number
      FROM store.purchase_order o WHERE o.id = v_line.purchase_order_id;
    IF TG_OP IN ('INSERT', 'DELETE')
       OR (NEW.tenant_id, NEW.purchase_order_id, NEW.variant_id, NEW.quantity_ordered, NEW.unit_cost, NEW.distributor_sku)
          IS DISTINCT FROM (OLD.tenant_id, OLD.purchase_order_id, OLD.variant_id, OLD.quantity_ordered, OLD.unit_cost,
                            OLD.distributor_sku) THEN
        IF v_status IS DISTINCT FROM 'DRAFT' THEN
            PERFORM core.raise('STORE_PO_NOT_DRAFT',
                               format('purchase order %s is %s: its lines change only in a DRAFT', v_number, v_status));
        ELSIF TG_OP = 'INSERT' AND (NEW.quantity_received, NEW.quantity_over_received) <> (0, 0) THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', 'quantity_received: a new line has received nothing yet');
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.quantity_received, NEW.quantity_over_received)
                            IS DISTINCT FROM (OLD.quantity_received, OLD.quantity_over_received) THEN
        IF v_status NOT IN ('SUBMITTED', 'CONFIRMED', 'PARTIAL') THEN
            PERFORM core.raise('STORE_PO_TRANSITION', format('purchase order %s is %s: receipts are taken from SUBMITTED '
                                                             'until RECEIVED or CANCELLED', v_number, v_status));
        ELSIF NEW.quantity_received < OLD.quantity_received OR NEW.quantity_over_received < OLD.quantity_over_received THEN
            PERFORM core.raise('STORE_IMMUTABLE', format('purchase order line %s: what was received only grows', OLD.id));
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.purchase_order_line_guard_trg() IS
'Trigger purchase_order_line_guard (BEFORE INSERT, UPDATE, DELETE of store.purchase_order_line), whoever writes: lines
are added, changed (variant, quantity ordered, unit cost, SKU) and removed only while their order is a DRAFT
(STORE_PO_NOT_DRAFT); a new line has received nothing; quantity received (and its over-received part) only grows
(STORE_IMMUTABLE) and only while the order takes receipts: SUBMITTED, CONFIRMED, PARTIAL (STORE_PO_TRANSITION). The
writing functions lock the order first, so the status read here is current for them.';

CREATE OR REPLACE TRIGGER purchase_order_line_guard BEFORE INSERT OR UPDATE OR DELETE ON store.purchase_order_line
    FOR EACH ROW EXECUTE FUNCTION store.purchase_order_line_guard_trg();

CREATE OR REPLACE FUNCTION store.purchase_order_line_totals_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- "changed" is the statement's transition table (new rows on INSERT and UPDATE, old rows on DELETE)
    UPDATE store.purchase_order o
       SET subtotal = s.subtotal, total_amount = s.subtotal + o.tax_amount + o.shipping_amount
      FROM (SELECT c.purchase_order_id AS id,
                   (SELECT coalesce(sum(l.line_total), 0) FROM store.purchase_order_line l
                     WHERE l.purchase_order_id = c.purchase_order_id) AS subtotal
              FROM (SELECT DISTINCT ch.purchase_order_id FROM changed ch) c) s
     WHERE o.id = s.id AND o.subtotal IS DISTINCT FROM s.subtotal;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION store.purchase_order_line_totals_trg() IS
'Triggers purchase_order_line_totals_* (AFTER INSERT, UPDATE, DELETE of store.purchase_order_line, once per statement,
with the changed rows as transition table "changed"): the database sets the subtotal of every order whose lines changed
to the sum of its lines'' line_total, and its total_amount to subtotal + tax_amount + shipping_amount. One update per
order per statement, whoever writes.';

CREATE OR REPLACE TRIGGER purchase_order_line_totals_insert AFTER INSERT ON store.purchase_order_line
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION store.purchase_order_line_totals_trg();
CREATE OR REPLACE TRIGGER purchase_order_line_totals_update AFTER UPDATE ON store.purchase_order_line
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION store.purchase_order_line_totals_trg();
CREATE OR REPLACE TRIGGER purchase_order_line_totals_delete AFTER DELETE ON store.purchase_order_line
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION store.purchase_order_line_totals_trg();

COMMIT;
