-- Deploy mercato:functions/store/receiving to pg
-- Receiving a purchase order: one receipt (append-only) with a line per purchase order line received, each posting its
-- quantity to the inventory through inventory.receive_in at the line's unit cost (a RECEIPT movement referencing
-- store/purchase_receipt/<id>, so the moving average cost follows). The order moves to PARTIAL, or to RECEIVED once
-- every line has its ordered quantity. A line never takes more than ordered unless the receipt line says
-- allow_over_receipt, and then the excess is recorded (quantity_over_received; the receipt line's over_received).
-- Locks, one order (READ COMMITTED): the purchase order (FOR UPDATE), then per line in ascending variant id its
-- purchase order line (one conditional UPDATE, never read-then-write), the variant's advisory lock when it is capped and
-- its stock row (inventory.receive_in). Two receipts of one order queue on the order; receipts of two orders touching
-- the same variants take their stock rows in the same order.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.receive_purchase_order(p_purchase_order_id bigint, p_lines jsonb, p_notes text DEFAULT NULL,
                                                        p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (receipt_id bigint, purchase_order_id bigint, status text, lines integer, quantity bigint,
               over_received bigint)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_po      store.purchase_order := store.locked_purchase_order(store.purchasing_tenant(p_tenant_id), p_purchase_order_id);
    v_item    jsonb;
    v_n       integer;
    v_line    store.purchase_order_line;
    v_ids     bigint[] := '{}';
    v_qty     integer[] := '{}';
    v_allow   boolean[] := '{}';
    v_id      bigint;
    v_q       integer;
    v_ok      boolean;
    v_receipt bigint;
    v_before  store.purchase_order_line;
    v_over    integer;
    v_status  text;
BEGIN
    IF v_po.status NOT IN ('SUBMITTED', 'CONFIRMED', 'PARTIAL') THEN
        PERFORM core.raise('STORE_PO_TRANSITION', format('purchase order %s is %s: receipts are taken from SUBMITTED until '
                                                         'RECEIVED or CANCELLED', v_po.po_number, v_po.status));
    ELSIF length(p_notes) > 10000 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE', 'notes: 10,000 characters at most');
    ELSIF jsonb_typeof(p_lines) IS DISTINCT FROM 'array' OR jsonb_array_length(p_lines) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('STORE_INVALID_PURCHASE',
                           'lines: an array of 1 to 500 {"line_id" or "variant_id", "quantity", "allow_over_receipt"?}');
    END IF;
    FOR v_item, v_n IN SELECT e.value, e.ordinality - 1 FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e LOOP
        IF jsonb_typeof(v_item) IS DISTINCT FROM 'object' THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s]: an object', v_n));
        END IF;
        IF v_item -> 'line_id' IS NOT NULL AND v_item -> 'line_id' <> 'null' THEN
            v_id := store.json_whole(v_item -> 'line_id', format('lines[%s].line_id', v_n), 1, 9223372036854775807);
            SELECT l.id INTO v_id FROM store.purchase_order_line l WHERE l.id = v_id AND l.purchase_order_id = v_po.id;
        ELSE
            v_id := store.json_whole(v_item -> 'variant_id', format('lines[%s].variant_id (or line_id)', v_n), 1,
                                     9223372036854775807);
            SELECT l.id INTO v_id FROM store.purchase_order_line l WHERE l.variant_id = v_id AND l.purchase_order_id = v_po.id;
        END IF;
        IF v_id IS NULL THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s]: no such line on purchase order %s', v_n,
                                                                v_po.po_number));
        ELSIF v_id = ANY (v_ids) THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s]: line %s twice in one receipt', v_n, v_id));
        ELSIF v_item -> 'allow_over_receipt' IS NOT NULL AND v_item -> 'allow_over_receipt' <> 'null'
              AND jsonb_typeof(v_item -> 'allow_over_receipt') <> 'boolean' THEN
            PERFORM core.raise('STORE_INVALID_PURCHASE', format('lines[%s].allow_over_receipt: true or false', v_n));
        END IF;
        v_ids := v_ids || v_id;
        v_qty := v_qty || store.json_whole(v_item -> 'quantity', format('lines[%s].quantity', v_n), 1, 1000000)::integer;
        v_allow := v_allow || coalesce((v_item ->> 'allow_over_receipt')::boolean, false);
    END LOOP;

    INSERT INTO store.purchase_receipt (tenant_id, purchase_order_id, location_id, actor_user_id, notes)
    VALUES (v_po.tenant_id, v_po.id, v_po.ship_to_location_id, identity.current_user_id(), p_notes)
    RETURNING id INTO v_receipt;

    FOR v_id, v_q, v_ok IN
        SELECT u.id, u.q, u.allow FROM unnest(v_ids, v_qty, v_allow) AS u(id, q, allow)
          JOIN store.purchase_order_line l ON l.id = u.id
         ORDER BY l.variant_id
    LOOP
        -- what the line had over-received before (for the receipt's record only: the order's lock keeps it current)
        SELECT l.quantity_over_received INTO v_over FROM store.purchase_order_line l WHERE l.id = v_id;
        -- the one decision: a conditional UPDATE (a concurrent receipt of the same line, were it not queued on the
        -- order, would be re-checked here against the committed quantity)
        UPDATE store.purchase_order_line l
           SET quantity_received = l.quantity_received + v_q,
               quantity_over_received = l.quantity_over_received
                   + CASE WHEN v_ok THEN greatest(0, l.quantity_received + v_q - l.quantity_ordered - l.quantity_over_received)
                          ELSE 0 END
         WHERE l.id = v_id AND (v_ok OR l.quantity_received + v_q <= l.quantity_ordered + l.quantity_over_received)
        RETURNING l.* INTO v_line;
        IF v_line.id IS DISTINCT FROM v_id THEN
            SELECT l.* INTO v_before FROM store.purchase_order_line l WHERE l.id = v_id;
            PERFORM core.raise('STORE_PO_OVER_RECEIPT',
                               format('purchase order %s line %s (variant %s): %s ordered, %s received, %s more would pass it',
                                      v_po.po_number, v_id, v_before.variant_id, v_before.quantity_ordered,
                                      v_before.quantity_received, v_q));
        END IF;
        INSERT INTO store.purchase_receipt_line (tenant_id, receipt_id, purchase_order_line_id, variant_id, quantity,
                                                 over_received, unit_cost)
        VALUES (v_po.tenant_id, v_receipt, v_line.id, v_line.variant_id, v_q,
                v_line.quantity_over_received - v_over,
                v_line.unit_cost);
        PERFORM inventory.receive_in(v_po.tenant_id, v_line.variant_id, v_po.ship_to_location_id, v_q, v_line.unit_cost,
                                     'RECEIPT', 'store', 'purchase_receipt', v_receipt::text,
                                     format('purchase order %s', v_po.po_number));
    END LOOP;

    v_status := CASE WHEN EXISTS (SELECT 1 FROM store.purchase_order_line l
                                   WHERE l.purchase_order_id = v_po.id AND l.quantity_received < l.quantity_ordered)
                     THEN 'PARTIAL' ELSE 'RECEIVED' END;
    UPDATE store.purchase_order o SET status = v_status WHERE o.id = v_po.id AND o.status <> v_status;
    RETURN QUERY
    SELECT v_receipt, v_po.id, v_status, count(*)::integer, sum(r.quantity)::bigint, sum(r.over_received)::bigint
      FROM store.purchase_receipt_line r WHERE r.receipt_id = v_receipt;
END
$$;
COMMENT ON FUNCTION store.receive_purchase_order(bigint, jsonb, text, bigint) IS
'Receive a delivery against a SUBMITTED, CONFIRMED or PARTIAL purchase order of the caller''s tenant, at its ship-to
location: p_lines [{"line_id" (or "variant_id"), "quantity", "allow_over_receipt"?}], 1 to 500, each line once. Each
line''s quantity is added to what the line received (never past what was ordered unless allow_over_receipt, which
records the excess: STORE_PO_OVER_RECEIPT otherwise) and posted in through inventory.receive_in at the line''s unit cost
(RECEIPT movement, reference store/purchase_receipt/<receipt id>; the moving average cost follows; a capped variant
never passes its max_quantity). The order becomes PARTIAL, or RECEIVED when every line has its ordered quantity. One
receipt (append-only) and its lines record it. Returns the receipt id, the order''s status, how many lines, units and
over-received units. Needs store.manage. READ COMMITTED; locks the order, then per line by variant id the line, the
variant (capped only) and its stock row. All or nothing. Errors: STORE_UNKNOWN_PURCHASE_ORDER, STORE_PO_TRANSITION,
STORE_INVALID_PURCHASE, STORE_PO_OVER_RECEIPT, INVENTORY_NOT_TRACKED, INVENTORY_LOCATION_INACTIVE,
INVENTORY_MAX_QUANTITY, INVENTORY_NO_PARTITION, IDENTITY_PERMISSION_DENIED.';

COMMIT;
