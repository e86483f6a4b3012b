-- Deploy mercato:functions/payments/invoices to pg
-- Invoices (docs/payments.md): a merchant's staff draft an invoice with items (quantity x unit price, tax; the database
-- computes every amount), open it (a number, sequential and gapless per merchant), and it is paid in part or in full
-- (payments.apply_invoice_payment, the hook payment intents are wired to; payments.pay_invoice_from_wallet until
-- then), voided or marked uncollectible; the job payments.invoice_overdue marks open invoices past their due date.
-- The rules hold for every writer: trigger invoice_guard (states, fixed fields), invoice_item_frozen (items only while
-- DRAFT), the deferred constraint triggers invoice_totals / invoice_item_totals (header = sum of the items at commit).
-- Each change emits a merchant event (payments.emit_merchant_event). Longer than a few hundred lines because the
-- triggers and every state change share the invoice's lock order and its JSON shape. All functions assume READ
-- COMMITTED and lock the invoice row before its items.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- rules for every writer ----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.invoice_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'DRAFT' OR NEW.number IS NOT NULL OR NEW.amount_paid <> 0 THEN
            PERFORM core.raise('PAYMENTS_INVOICE_STATE', 'an invoice starts DRAFT, unnumbered and unpaid');
        END IF;
        NEW.minor_units := (SELECT c.minor_units FROM masterdata.currency c WHERE c.code = NEW.currency);
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (OLD.status, NEW.status) IN (
           ('DRAFT', 'OPEN'), ('DRAFT', 'VOID'), ('OPEN', 'PAID'), ('OPEN', 'VOID'), ('OPEN', 'UNCOLLECTIBLE'),
           ('UNCOLLECTIBLE', 'PAID'), ('UNCOLLECTIBLE', 'VOID')) THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s: %s -> %s', OLD.id, OLD.status, NEW.status));
    ELSIF NEW.status = 'VOID' AND OLD.status <> 'VOID' AND OLD.amount_paid > 0 THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s: %s of it is paid; it is not voided', OLD.id,
                                                            OLD.amount_paid));
    ELSIF (NEW.id, NEW.organization_id, NEW.currency, NEW.minor_units, NEW.created_by, NEW.created_at)
          IS DISTINCT FROM (OLD.id, OLD.organization_id, OLD.currency, OLD.minor_units, OLD.created_by, OLD.created_at)
          OR (OLD.number IS NOT NULL AND NEW.number IS DISTINCT FROM OLD.number)
          OR (OLD.opened_at IS NOT NULL AND NEW.opened_at IS DISTINCT FROM OLD.opened_at) THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('invoice %s: merchant, currency, number, creator and times never '
                                                        'change', OLD.id));
    ELSIF OLD.status <> 'DRAFT'
          AND (NEW.subtotal, NEW.tax_total, NEW.customer_user_id, NEW.customer_email, NEW.customer_name, NEW.memo,
               NEW.due_date)
              IS DISTINCT FROM (OLD.subtotal, OLD.tax_total, OLD.customer_user_id, OLD.customer_email,
                                OLD.customer_name, OLD.memo, OLD.due_date) THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: its amounts, customer, memo and due date '
                                                            'are frozen', OLD.id, OLD.status));
    ELSIF NEW.amount_paid < OLD.amount_paid THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('invoice %s: amount_paid never decreases', OLD.id));
    ELSIF NEW.amount_paid > OLD.amount_paid AND OLD.status NOT IN ('OPEN', 'UNCOLLECTIBLE') THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: not payable', OLD.id, OLD.status));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.invoice_guard_trg() IS
'Trigger invoice_guard (BEFORE INSERT OR UPDATE of payments.invoice), whoever writes: an invoice starts DRAFT,
unnumbered, unpaid, with its currency''s minor units; status moves only DRAFT -> OPEN | VOID, OPEN -> PAID | VOID |
UNCOLLECTIBLE, UNCOLLECTIBLE -> PAID | VOID, never VOID once something is paid (PAYMENTS_INVOICE_STATE); merchant,
currency, creator, a number and the opening time never change (PAYMENTS_IMMUTABLE); amounts, customer, memo and due
date only while DRAFT; amount_paid only grows, and only while OPEN or UNCOLLECTIBLE; updated_at is kept.';

CREATE TRIGGER invoice_guard BEFORE INSERT OR UPDATE ON payments.invoice
    FOR EACH ROW EXECUTE FUNCTION payments.invoice_guard_trg();
CREATE TRIGGER invoice_no_delete BEFORE DELETE ON payments.invoice
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER invoice_no_truncate BEFORE TRUNCATE ON payments.invoice
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

CREATE OR REPLACE FUNCTION payments.invoice_item_frozen_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_invoice bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
    v_status  text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.invoice_id <> OLD.invoice_id THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('item %s stays on invoice %s', OLD.id, OLD.invoice_id));
    END IF;
    -- waits for a concurrent opening: once it commits, the invoice is OPEN and the item is refused
    SELECT status INTO v_status FROM payments.invoice WHERE id = v_invoice FOR SHARE;
    IF v_status IS DISTINCT FROM 'DRAFT' THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: its items are frozen', v_invoice, v_status));
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION payments.invoice_item_frozen_trg() IS
'Trigger invoice_item_frozen (BEFORE INSERT, UPDATE or DELETE of payments.invoice_item), whoever writes: an item is
written only while its invoice is DRAFT (PAYMENTS_INVOICE_STATE; the invoice row is read FOR SHARE, so an item written
concurrently with the opening waits and is refused) and never moves to another invoice (PAYMENTS_IMMUTABLE).';

CREATE TRIGGER invoice_item_frozen BEFORE INSERT OR UPDATE OR DELETE ON payments.invoice_item
    FOR EACH ROW EXECUTE FUNCTION payments.invoice_item_frozen_trg();
CREATE TRIGGER invoice_item_no_truncate BEFORE TRUNCATE ON payments.invoice_item
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

CREATE OR REPLACE FUNCTION payments.check_invoice_totals(p_invoice_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v record;
BEGIN
    SELECT i.id, i.subtotal, i.tax_total, coalesce(sum(t.amount), 0) AS items_subtotal,
           coalesce(sum(t.tax_amount), 0) AS items_tax
      INTO v
      FROM payments.invoice i LEFT JOIN payments.invoice_item t ON t.invoice_id = i.id
     WHERE i.id = p_invoice_id
     GROUP BY i.id;
    IF FOUND AND (v.subtotal, v.tax_total) IS DISTINCT FROM (v.items_subtotal, v.items_tax) THEN
        PERFORM core.raise('PAYMENTS_INVOICE_TOTALS_MISMATCH',
                           format('invoice %s: subtotal %s, tax %s; its items sum to %s, %s', v.id, v.subtotal,
                                  v.tax_total, v.items_subtotal, v.items_tax));
    END IF;
END
$$;
COMMENT ON FUNCTION payments.check_invoice_totals(bigint) IS
'Refuse (PAYMENTS_INVOICE_TOTALS_MISMATCH, both sides in the detail) when an invoice''s subtotal or tax_total is not the
sum of its items'' amount or tax_amount. Internal.';

CREATE OR REPLACE FUNCTION payments.invoice_totals_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.check_invoice_totals(
        (to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END)
            ->> CASE WHEN TG_TABLE_NAME = 'invoice_item' THEN 'invoice_id' ELSE 'id' END)::bigint);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.invoice_totals_trg() IS
'Constraint triggers invoice_totals and invoice_item_totals (DEFERRABLE INITIALLY DEFERRED): at commit, the invoice
written (or the item''s invoice) has subtotal and tax_total equal to the sums of its items
(payments.check_invoice_totals), whoever writes. SECURITY DEFINER: a deferred trigger fires at COMMIT, as the
session''s role.';

CREATE CONSTRAINT TRIGGER invoice_totals AFTER INSERT OR UPDATE OF subtotal, tax_total
    ON payments.invoice DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments.invoice_totals_trg();
CREATE CONSTRAINT TRIGGER invoice_item_totals AFTER INSERT OR UPDATE OR DELETE
    ON payments.invoice_item DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments.invoice_totals_trg();

-- shapes and access ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.invoice_doc(p_invoice_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT jsonb_build_object(
           'id', i.id, 'merchant_id', i.organization_id, 'number', i.number, 'status', i.status,
           'currency', i.currency, 'customer_user_id', i.customer_user_id, 'customer_email', i.customer_email,
           'customer_name', i.customer_name, 'memo', i.memo, 'due_date', i.due_date,
           'subtotal', i.subtotal::text, 'tax_total', i.tax_total::text, 'total', i.total::text,
           'amount_paid', i.amount_paid::text, 'amount_due', i.amount_due::text, 'overdue', i.overdue_at IS NOT NULL,
           'overdue_at', i.overdue_at, 'opened_at', i.opened_at, 'paid_at', i.paid_at, 'closed_at', i.closed_at,
           'created_at', i.created_at,
           'items', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                         'position', t.position, 'description', t.description, 'quantity', t.quantity::text,
                         'unit_price', t.unit_price::text, 'tax_rate', t.tax_rate::text, 'amount', t.amount::text,
                         'tax_amount', t.tax_amount::text) ORDER BY t.position), '[]')
                       FROM payments.invoice_item t WHERE t.invoice_id = i.id),
           'payments', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'id', p.id, 'amount', p.amount::text, 'reference', p.reference, 'intent_id', p.intent_id,
                            'wallet_id', p.wallet_id, 'created_at', p.created_at) ORDER BY p.id), '[]')
                          FROM payments.invoice_payment p WHERE p.invoice_id = i.id))
  FROM payments.invoice i
 WHERE i.id = p_invoice_id
$$;
COMMENT ON FUNCTION payments.invoice_doc(bigint) IS
'An invoice as JSON: header (amounts as text), overdue flag, items and payments. Internal.';

CREATE OR REPLACE FUNCTION payments.event_of_invoice(p_invoice_id bigint, p_event_type text, p_extra jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT payments.emit_merchant_event(i.organization_id, 'invoice', i.id, p_event_type,
           jsonb_build_object('invoice', jsonb_build_object(
               'id', i.id, 'number', i.number, 'status', i.status, 'currency', i.currency, 'total', i.total::text,
               'amount_paid', i.amount_paid::text, 'amount_due', i.amount_due::text, 'due_date', i.due_date,
               'customer_user_id', i.customer_user_id, 'customer_email', i.customer_email,
               'overdue', i.overdue_at IS NOT NULL)) || coalesce(p_extra, '{}'))
  FROM payments.invoice i
 WHERE i.id = p_invoice_id
$$;
COMMENT ON FUNCTION payments.event_of_invoice(bigint, text, jsonb) IS
'Emit an invoice event (invoice.created, invoice.opened, invoice.payment_applied, invoice.paid, invoice.voided,
invoice.marked_uncollectible, invoice.overdue) to its merchant with the invoice''s summary (and p_extra). Internal.';

CREATE OR REPLACE FUNCTION payments.lock_invoice(p_invoice_id bigint, p_min_role text)
RETURNS payments.invoice
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.invoice;
BEGIN
    SELECT * INTO v FROM payments.invoice WHERE id = p_invoice_id FOR UPDATE;
    IF NOT FOUND OR NOT (identity.is_service() OR identity.acts_for(v.organization_id, p_min_role)) THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_INVOICE', format('invoice %s', p_invoice_id));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION payments.lock_invoice(bigint, text) IS
'The invoice, locked FOR UPDATE, if the caller acts for its merchant with at least p_min_role or is the back office.
Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_INVOICE (404, also for another merchant''s). Internal.';

-- drafting ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.put_invoice_items(p_invoice_id bigint, p_items jsonb)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_inv   payments.invoice;
    v_item  jsonb;
    v_pos   integer;
    v_qty   numeric;
    v_price numeric;
    v_rate  numeric;
    v_num   text := '^[0-9]{1,15}(\.[0-9]{1,6})?$';
BEGIN
    SELECT * INTO v_inv FROM payments.invoice WHERE id = p_invoice_id;
    IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' OR jsonb_array_length(p_items) > 200 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'items must be a JSON array of at most 200 items');
    END IF;
    SELECT coalesce(max(position), 0) INTO v_pos FROM payments.invoice_item WHERE invoice_id = p_invoice_id;
    FOR v_item IN SELECT x FROM jsonb_array_elements(p_items) x LOOP
        v_pos := v_pos + 1;
        IF jsonb_typeof(v_item) IS DISTINCT FROM 'object'
           OR EXISTS (SELECT 1 FROM jsonb_object_keys(v_item) k
                       WHERE k NOT IN ('description', 'quantity', 'unit_price', 'tax_rate')) THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                               format('item %s: an object of description, quantity, unit_price, tax_rate', v_pos));
        ELSIF (length(btrim(v_item ->> 'description')) BETWEEN 1 AND 500
               AND jsonb_typeof(v_item -> 'description') = 'string') IS NOT TRUE THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('item %s: description of 1-500 characters', v_pos));
        ELSIF ((v_item ->> 'quantity') ~ v_num AND jsonb_typeof(v_item -> 'quantity') IN ('string', 'number')) IS NOT TRUE
              OR ((v_item ->> 'unit_price') ~ v_num AND jsonb_typeof(v_item -> 'unit_price') IN ('string', 'number')) IS NOT TRUE
              OR (v_item ? 'tax_rate' AND ((v_item ->> 'tax_rate') ~ v_num
                                           AND jsonb_typeof(v_item -> 'tax_rate') IN ('string', 'number')) IS NOT TRUE) THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                               format('item %s: quantity, unit_price and tax_rate are non-negative decimal numbers', v_pos));
        END IF;
        v_qty := (v_item ->> 'quantity')::numeric;
        v_price := (v_item ->> 'unit_price')::numeric;
        v_rate := coalesce((v_item ->> 'tax_rate')::numeric, 0);
        IF v_qty <= 0 OR v_qty >= 1e6 OR scale(v_qty) > 3 THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('item %s: quantity above 0, below 1000000, at most 3 '
                                                                'decimals', v_pos));
        ELSIF v_price >= 1e12 OR scale(v_price) > v_inv.minor_units THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('item %s: unit_price is an amount in %s (at most %s '
                                                                'decimals)', v_pos, v_inv.currency, v_inv.minor_units));
        ELSIF v_rate > 100 OR scale(v_rate) > 4 THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('item %s: tax_rate is a percentage 0-100, at most 4 '
                                                                'decimals', v_pos));
        ELSIF v_pos > 500 THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'an invoice has at most 500 items');
        ELSIF round(v_qty * v_price, v_inv.minor_units) * (1 + v_rate / 100) >= 1e11 THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('item %s: amount and tax below 100000000000', v_pos));
        END IF;
        INSERT INTO payments.invoice_item (invoice_id, minor_units, position, description, quantity, unit_price,
                                           tax_rate, amount, tax_amount)
        VALUES (p_invoice_id, v_inv.minor_units, v_pos, btrim(v_item ->> 'description'), v_qty, v_price, v_rate,
                round(v_qty * v_price, v_inv.minor_units),
                round(round(v_qty * v_price, v_inv.minor_units) * v_rate / 100, v_inv.minor_units));
    END LOOP;
    IF (SELECT sum(amount) + sum(tax_amount) FROM payments.invoice_item WHERE invoice_id = p_invoice_id) >= 1e12 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'an invoice''s total is below 1000000000000');
    END IF;
    UPDATE payments.invoice i
       SET subtotal = s.amount, tax_total = s.tax
      FROM (SELECT coalesce(sum(amount), 0) AS amount, coalesce(sum(tax_amount), 0) AS tax
              FROM payments.invoice_item WHERE invoice_id = p_invoice_id) s
     WHERE i.id = p_invoice_id AND (i.subtotal, i.tax_total) IS DISTINCT FROM (s.amount, s.tax);
END
$$;
COMMENT ON FUNCTION payments.put_invoice_items(bigint, jsonb) IS
'Append items to a DRAFT invoice the caller has locked: [{"description", "quantity", "unit_price", "tax_rate"
(percent, optional)}]; each amount = quantity x unit_price and its tax = amount x tax_rate / 100, rounded half away from
zero to the currency''s minor units; then the header''s subtotal and tax_total become the sums. Internal. Errors:
PAYMENTS_INVALID_INPUT naming the item, PAYMENTS_INVOICE_STATE.';

CREATE OR REPLACE FUNCTION payments.create_invoice(
    p_organization_id  bigint,
    p_currency         text,
    p_due_date         date,
    p_items            jsonb DEFAULT '[]',
    p_customer_user_id bigint DEFAULT NULL,
    p_customer_email   text DEFAULT NULL,
    p_customer_name    text DEFAULT NULL,
    p_memo             text DEFAULT '',
    p_expected_total   numeric DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id    bigint;
    v_total numeric;
BEGIN
    PERFORM payments.require_merchant(p_organization_id, 'STAFF');
    PERFORM masterdata.currency_minor_units(p_currency);   -- MASTERDATA_UNKNOWN_CURRENCY
    IF p_due_date IS NULL OR p_due_date < (now() AT TIME ZONE 'UTC')::date
       OR p_due_date > (now() AT TIME ZONE 'UTC')::date + 3650 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'due_date: today (UTC) or later, within 10 years');
    ELSIF p_customer_user_id IS NULL AND p_customer_email IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a customer: a user id, or an e-mail (and a name)');
    ELSIF p_customer_user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM identity.user_account WHERE id = p_customer_user_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_customer_user_id));
    ELSIF p_customer_email IS NOT NULL AND (length(p_customer_email) > 256 OR p_customer_email !~ '^[^@\s]+@[^@\s]+$') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'customer_email is not an e-mail address');
    ELSIF p_customer_name IS NOT NULL AND length(btrim(p_customer_name)) NOT BETWEEN 1 AND 256 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'customer_name: 1-256 characters');
    ELSIF p_memo IS NULL OR length(p_memo) > 2000 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'memo: at most 2000 characters');
    END IF;
    INSERT INTO payments.invoice (organization_id, currency, minor_units, customer_user_id, customer_email,
                                  customer_name, memo, due_date, created_by)
    VALUES (p_organization_id, p_currency, 0, p_customer_user_id, p_customer_email, btrim(p_customer_name), p_memo,
            p_due_date, (identity.current_actor()).user_id)
    RETURNING id INTO v_id;
    PERFORM payments.put_invoice_items(v_id, coalesce(p_items, '[]'));
    SELECT total INTO v_total FROM payments.invoice WHERE id = v_id;
    IF p_expected_total IS NOT NULL AND p_expected_total <> v_total THEN
        PERFORM core.raise('PAYMENTS_INVOICE_TOTALS_MISMATCH',
                           format('expected total %s; the items make %s', p_expected_total, v_total));
    END IF;
    PERFORM payments.event_of_invoice(v_id, 'invoice.created');
    RETURN payments.invoice_doc(v_id);
END
$$;
COMMENT ON FUNCTION payments.create_invoice(bigint, text, date, jsonb, bigint, text, text, text, numeric) IS
'A merchant''s STAFF, ADMIN or OWNER (or the back office) drafts an invoice: currency, due date (today or later), items
(payments.put_invoice_items), a customer (a user id, or an e-mail and a name), a memo; with p_expected_total, refused
unless the database''s total is that amount. Returns the invoice as JSON; emits invoice.created. Errors:
PAYMENTS_UNKNOWN_MERCHANT, PAYMENTS_INVALID_INPUT, PAYMENTS_INVOICE_TOTALS_MISMATCH, IDENTITY_UNKNOWN_USER,
MASTERDATA_UNKNOWN_CURRENCY.';

CREATE OR REPLACE FUNCTION payments.add_invoice_items(p_invoice_id bigint, p_items jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.invoice := payments.lock_invoice(p_invoice_id, 'STAFF');
BEGIN
    IF v.status <> 'DRAFT' THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: its items are frozen', v.id, v.status));
    END IF;
    PERFORM payments.put_invoice_items(p_invoice_id, p_items);
    RETURN payments.invoice_doc(p_invoice_id);
END
$$;
COMMENT ON FUNCTION payments.add_invoice_items(bigint, jsonb) IS
'Append items to a DRAFT invoice (its merchant''s STAFF and above); the invoice as JSON. Errors:
PAYMENTS_UNKNOWN_INVOICE, PAYMENTS_INVOICE_STATE, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.remove_invoice_item(p_invoice_id bigint, p_position integer)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.invoice := payments.lock_invoice(p_invoice_id, 'STAFF');
BEGIN
    IF v.status <> 'DRAFT' THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: its items are frozen', v.id, v.status));
    END IF;
    DELETE FROM payments.invoice_item WHERE invoice_id = p_invoice_id AND position = p_position;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('invoice %s has no item %s', p_invoice_id, p_position));
    END IF;
    PERFORM payments.put_invoice_items(p_invoice_id, '[]');   -- the header follows its items
    RETURN payments.invoice_doc(p_invoice_id);
END
$$;
COMMENT ON FUNCTION payments.remove_invoice_item(bigint, integer) IS
'Remove an item (by position) from a DRAFT invoice, totals following; the invoice as JSON. Its merchant''s STAFF and
above. Errors: PAYMENTS_UNKNOWN_INVOICE, PAYMENTS_INVOICE_STATE, PAYMENTS_INVALID_INPUT.';

-- states --------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.open_invoice(p_invoice_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.invoice := payments.lock_invoice(p_invoice_id, 'STAFF');
BEGIN
    IF v.status <> 'DRAFT' THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: only a DRAFT is opened', v.id, v.status));
    ELSIF NOT EXISTS (SELECT 1 FROM payments.invoice_item WHERE invoice_id = v.id) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('invoice %s has no items', v.id));
    ELSIF v.due_date < (now() AT TIME ZONE 'UTC')::date THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('invoice %s was due on %s: set a new due date', v.id,
                                                            v.due_date));
    END IF;
    -- the number is drawn last, under the merchant's counter row lock held until commit: gapless in commit order
    UPDATE payments.invoice
       SET status = CASE WHEN total = 0 THEN 'PAID' ELSE 'OPEN' END, opened_at = now(),
           paid_at = CASE WHEN total = 0 THEN now() END,
           number = core.next_number('payments.invoice', organization_id::text)
     WHERE id = v.id;
    PERFORM payments.event_of_invoice(v.id, 'invoice.opened');
    IF v.total = 0 THEN
        PERFORM payments.event_of_invoice(v.id, 'invoice.paid');
    END IF;
    RETURN payments.invoice_doc(v.id);
END
$$;
COMMENT ON FUNCTION payments.open_invoice(bigint) IS
'Open a DRAFT invoice with items (its merchant''s STAFF and above): its number, the merchant''s next (core.next_number
(''payments.invoice'', merchant): sequential and gapless, also under concurrency, as the counter row stays locked until
commit), items frozen from now on; a total of 0 is PAID at once. Emits invoice.opened (and invoice.paid). Errors:
PAYMENTS_UNKNOWN_INVOICE, PAYMENTS_INVOICE_STATE, PAYMENTS_INVALID_INPUT (no items, due date passed).';

CREATE OR REPLACE FUNCTION payments.close_invoice(p_invoice_id bigint, p_status text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.invoice := payments.lock_invoice(p_invoice_id, 'ADMIN');
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('VOID', 'UNCOLLECTIBLE') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'status must be VOID or UNCOLLECTIBLE');
    END IF;
    UPDATE payments.invoice SET status = p_status, closed_at = now() WHERE id = v.id;   -- invoice_guard judges
    PERFORM payments.event_of_invoice(v.id, CASE p_status WHEN 'VOID' THEN 'invoice.voided'
                                                          ELSE 'invoice.marked_uncollectible' END);
    RETURN payments.invoice_doc(v.id);
END
$$;
COMMENT ON FUNCTION payments.close_invoice(bigint, text) IS
'Void an invoice (DRAFT, OPEN or UNCOLLECTIBLE with nothing paid) or mark an OPEN one UNCOLLECTIBLE (it may still be
paid later); its merchant''s ADMIN or OWNER, the back office. Emits invoice.voided or invoice.marked_uncollectible.
Errors: PAYMENTS_UNKNOWN_INVOICE, PAYMENTS_INVOICE_STATE, PAYMENTS_INVALID_INPUT.';

-- payments ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.record_invoice_payment(p_invoice_id bigint, p_amount numeric, p_reference text,
                                                           p_intent_id bigint, p_wallet_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v     payments.invoice;
    v_old payments.invoice_payment;
    v_id  bigint;
BEGIN
    IF p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'reference: 1-200 characters');
    END IF;
    SELECT * INTO v FROM payments.invoice WHERE id = p_invoice_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_INVOICE', format('invoice %s', p_invoice_id));
    END IF;
    -- the same reference again: the payment it made, or a conflict (under the invoice lock: one writer per reference)
    SELECT * INTO v_old FROM payments.invoice_payment WHERE reference = p_reference;
    IF FOUND THEN
        IF (v_old.invoice_id, v_old.amount, v_old.intent_id, v_old.wallet_id)
           IS NOT DISTINCT FROM (p_invoice_id, p_amount, p_intent_id, p_wallet_id) THEN
            RETURN v_old.id;
        END IF;
        PERFORM core.raise('PAYMENTS_REFERENCE_CONFLICT',
                           format('reference %s paid %s on invoice %s', p_reference, v_old.amount, v_old.invoice_id));
    END IF;
    IF v.status NOT IN ('OPEN', 'UNCOLLECTIBLE') THEN
        PERFORM core.raise('PAYMENTS_INVOICE_STATE', format('invoice %s is %s: not payable', v.id, v.status));
    ELSIF p_amount IS NULL OR p_amount <= 0 OR scale(p_amount) > v.minor_units THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('amount: above 0, at most %s decimals', v.minor_units));
    ELSIF p_amount > v.amount_due THEN
        PERFORM core.raise('PAYMENTS_INVOICE_OVERPAID', format('invoice %s: %s due, %s offered', v.id, v.amount_due,
                                                               p_amount));
    END IF;
    INSERT INTO payments.invoice_payment (invoice_id, amount, reference, intent_id, wallet_id, created_by)
    VALUES (v.id, p_amount, p_reference, p_intent_id, p_wallet_id, (identity.current_actor()).user_id)
    RETURNING id INTO v_id;
    UPDATE payments.invoice
       SET amount_paid = amount_paid + p_amount,
           status = CASE WHEN amount_due = p_amount THEN 'PAID' ELSE status END,
           paid_at = CASE WHEN amount_due = p_amount THEN now() END
     WHERE id = v.id;
    PERFORM payments.event_of_invoice(v.id, 'invoice.payment_applied',
                                      jsonb_build_object('payment', jsonb_build_object('id', v_id, 'amount', p_amount::text,
                                                         'reference', p_reference, 'intent_id', p_intent_id)));
    IF v.amount_due = p_amount THEN
        PERFORM payments.event_of_invoice(v.id, 'invoice.paid');
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION payments.record_invoice_payment(bigint, numeric, text, bigint, bigint) IS
'Apply a payment to an OPEN or UNCOLLECTIBLE invoice under its row lock: a payments.invoice_payment row linked to the
intent or wallet that paid, amount_paid raised, PAID when nothing is due. Idempotent by reference (the same reference,
invoice, amount and source return the same payment); never above the amount due. Emits invoice.payment_applied (and
invoice.paid). The money moves in the caller''s transaction, not here. Internal. Errors: PAYMENTS_INVALID_INPUT,
PAYMENTS_UNKNOWN_INVOICE, PAYMENTS_INVOICE_STATE, PAYMENTS_INVOICE_OVERPAID, PAYMENTS_REFERENCE_CONFLICT.';

CREATE OR REPLACE FUNCTION payments.apply_invoice_payment(p_invoice_id bigint, p_amount numeric, p_reference text,
                                                          p_intent_id bigint)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN payments.record_invoice_payment(p_invoice_id, p_amount, p_reference, p_intent_id, NULL);
COMMENT ON FUNCTION payments.apply_invoice_payment(bigint, numeric, text, bigint) IS
'The hook payment intents call when money for an invoice has moved (in the same transaction): apply p_amount under
p_reference, linked to intent p_intent_id (payments.record_invoice_payment: idempotent by reference, never above the
amount due, PAID when fully paid); returns the invoice payment id. Internal.';

CREATE OR REPLACE FUNCTION payments.pay_invoice_from_wallet(p_invoice_id bigint, p_wallet_id bigint, p_amount numeric,
                                                            p_reference text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet   payments.wallet := payments.require_wallet(p_wallet_id, 'ADMIN');
    v_actor    identity.actor := identity.current_actor();
    v          payments.invoice;
    v_merchant bigint;
    v_fee      numeric;
    v_rule     bigint;
    v_payment  bigint;
    v_ref      text;
BEGIN
    SELECT * INTO v FROM payments.invoice WHERE id = p_invoice_id;
    IF NOT FOUND OR v.status = 'DRAFT'
       OR NOT (identity.is_service() OR v.customer_user_id IS NULL OR v.customer_user_id = v_actor.user_id
               OR identity.acts_for(v.organization_id, 'STAFF')) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_INVOICE', format('invoice %s', p_invoice_id));
    ELSIF v_wallet.currency <> v.currency THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('wallet %s is in %s, invoice %s in %s', p_wallet_id,
                                                            v_wallet.currency, v.id, v.currency));
    ELSIF v_wallet.owner_type = 'ORG' AND v_wallet.organization_id = v.organization_id THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a merchant does not pay its own invoice from its wallet');
    END IF;
    -- the invoice's own rules first (state, amount due, reference), under its lock
    v_payment := payments.record_invoice_payment(p_invoice_id, p_amount, p_reference, NULL, p_wallet_id);
    v_merchant := payments.wallet_for('ORG', v.organization_id, v.currency);
    SELECT q.fee, q.fee_rule_id INTO v_fee, v_rule
      FROM payments.fee_quote('PAYMENT', NULL, v.organization_id, v.currency, p_amount) q;
    v_ref := format('payments:invoice_payment:%s:pay', v_payment);
    PERFORM ledger.post(v_ref,
        jsonb_build_array(jsonb_build_object('account_id', p_wallet_id, 'amount', p_amount::text, 'side', 'DEBIT'))
        || CASE WHEN p_amount > v_fee THEN jsonb_build_array(jsonb_build_object(   -- a fee may take it all (a minimum)
               'account_id', v_merchant, 'amount', (p_amount - v_fee)::text, 'side', 'CREDIT'))
           ELSE '[]'::jsonb END
        || CASE WHEN v_fee > 0 THEN jsonb_build_array(jsonb_build_object(
               'account_id', payments.revenue_account(v.currency), 'amount', v_fee::text, 'side', 'CREDIT'))
           ELSE '[]'::jsonb END,
        format('invoice %s no. %s', v.id, v.number),
        jsonb_build_object('invoice_id', v.id, 'invoice_payment_id', v_payment));
    IF v_fee > 0 THEN
        PERFORM payments.record_fee(v_ref, 'PAYMENT', NULL, v.organization_id, v.currency, p_amount, v_fee, v_rule,
                                    'invoice_payment', v_payment);
    END IF;
    RETURN jsonb_build_object('payment_id', v_payment, 'ledger_reference', v_ref, 'fee', v_fee::text,
                              'invoice', payments.invoice_doc(v.id));
END
$$;
COMMENT ON FUNCTION payments.pay_invoice_from_wallet(bigint, bigint, numeric, text) IS
'Pay an open invoice, in part or in full, from a wallet the caller may spend from (its own; its organization''s as
ADMIN), until payment intents are wired: in one transaction the invoice payment (payments.record_invoice_payment:
idempotent by p_reference, never above the amount due), one ledger posting payer -> merchant wallet with the PAYMENT fee
(payments.fee_quote for the merchant) to the platform''s revenue account, and the fee charge (payments.record_fee). An
invoice addressed to a user is paid by that user (or its merchant''s staff, the back office). Returns the payment id,
the ledger reference, the fee and the invoice. Errors: PAYMENTS_UNKNOWN_WALLET, PAYMENTS_UNKNOWN_INVOICE,
PAYMENTS_INVALID_INPUT, PAYMENTS_INVOICE_STATE, PAYMENTS_INVOICE_OVERPAID, PAYMENTS_REFERENCE_CONFLICT,
LEDGER_INSUFFICIENT_FUNDS.';

-- reads ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.get_invoice(p_invoice_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v     payments.invoice;
    v_actor identity.actor;
BEGIN
    SELECT * INTO v FROM payments.invoice WHERE id = p_invoice_id;
    IF FOUND AND identity.is_service() THEN
        RETURN payments.invoice_doc(v.id);
    END IF;
    v_actor := identity.require_user();
    IF NOT FOUND OR NOT (identity.acts_for(v.organization_id, 'STAFF')
                         OR (v.status <> 'DRAFT' AND v.customer_user_id = v_actor.user_id)) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_INVOICE', format('invoice %s', p_invoice_id));
    END IF;
    RETURN payments.invoice_doc(v.id);
END
$$;
COMMENT ON FUNCTION payments.get_invoice(bigint) IS
'An invoice as JSON (items, payments): for its merchant''s members, its customer user (once opened), the back office.
Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_INVOICE.';

CREATE OR REPLACE FUNCTION payments.list_invoices(p_organization_id bigint, p_status text DEFAULT NULL,
                                                  p_overdue boolean DEFAULT NULL, p_before_id bigint DEFAULT NULL,
                                                  p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, number bigint, status text, currency text, customer_user_id bigint, customer_email text,
               customer_name text, due_date date, total numeric, amount_paid numeric, amount_due numeric,
               overdue boolean, opened_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_merchant(p_organization_id, 'STAFF');
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'limit must be 1 to 1000');
    END IF;
    RETURN QUERY
    SELECT i.id, i.number, i.status, i.currency::text, i.customer_user_id, i.customer_email, i.customer_name,
           i.due_date, i.total, i.amount_paid, i.amount_due, i.overdue_at IS NOT NULL, i.opened_at, i.created_at
      FROM payments.invoice i
     WHERE i.organization_id = p_organization_id
       AND (p_status IS NULL OR i.status = p_status)
       AND (p_overdue IS NULL OR (i.overdue_at IS NOT NULL) = p_overdue)
       AND (p_before_id IS NULL OR i.id < p_before_id)
     ORDER BY i.id DESC
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.list_invoices(bigint, text, boolean, bigint, integer) IS
'A merchant''s invoices, newest first (keyset: before p_before_id), filtered by status and overdue flag. Its members,
the back office. Errors: PAYMENTS_UNKNOWN_MERCHANT, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.my_invoices(p_status text DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, merchant_id bigint, merchant_name text, number bigint, status text, currency text,
               due_date date, total numeric, amount_paid numeric, amount_due numeric, overdue boolean,
               opened_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'limit must be 1 to 1000');
    END IF;
    RETURN QUERY
    SELECT i.id, i.organization_id, o.name, i.number, i.status, i.currency::text, i.due_date, i.total, i.amount_paid,
           i.amount_due, i.overdue_at IS NOT NULL, i.opened_at
      FROM payments.invoice i JOIN identity.organization o ON o.id = i.organization_id
     WHERE i.customer_user_id = v_actor.user_id AND i.status <> 'DRAFT'
       AND (p_status IS NULL OR i.status = p_status)
     ORDER BY i.id DESC
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.my_invoices(text, integer) IS
'The invoices addressed to the calling user (opened ones), newest first. Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_INVALID_INPUT.';

-- the overdue job -----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.mark_overdue_invoices(p_limit integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id    bigint;
    v_count integer := 0;
BEGIN
    FOR v_id IN
        WITH due AS (
            SELECT i.id FROM payments.invoice i
             WHERE i.overdue_at IS NULL AND i.status = 'OPEN' AND i.due_date < (now() AT TIME ZONE 'UTC')::date
             ORDER BY i.id
             LIMIT p_limit
               FOR UPDATE SKIP LOCKED)
        UPDATE payments.invoice i SET overdue_at = now()
          FROM due WHERE i.id = due.id AND i.status = 'OPEN'
        RETURNING i.id
    LOOP
        PERFORM payments.event_of_invoice(v_id, 'invoice.overdue');
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION payments.mark_overdue_invoices(integer) IS
'The job payments.invoice_overdue: OPEN invoices whose due date (UTC) has passed get overdue_at = now() and an
invoice.overdue event, at most p_limit per run (rows locked by another transaction are left for the next run); returns
how many. Internal.';

REVOKE ALL ON FUNCTION payments.invoice_guard_trg(), payments.invoice_item_frozen_trg(),
    payments.check_invoice_totals(bigint), payments.invoice_totals_trg(), payments.invoice_doc(bigint),
    payments.event_of_invoice(bigint, text, jsonb), payments.lock_invoice(bigint, text),
    payments.put_invoice_items(bigint, jsonb),
    payments.create_invoice(bigint, text, date, jsonb, bigint, text, text, text, numeric),
    payments.add_invoice_items(bigint, jsonb), payments.remove_invoice_item(bigint, integer),
    payments.open_invoice(bigint), payments.close_invoice(bigint, text),
    payments.record_invoice_payment(bigint, numeric, text, bigint, bigint),
    payments.apply_invoice_payment(bigint, numeric, text, bigint),
    payments.pay_invoice_from_wallet(bigint, bigint, numeric, text), payments.get_invoice(bigint),
    payments.list_invoices(bigint, text, boolean, bigint, integer), payments.my_invoices(text, integer),
    payments.mark_overdue_invoices(integer) FROM PUBLIC;

COMMIT;
