-- Deploy mercato:functions/inventory/guards to pg
-- What every inventory use case shares: which tenant a staff call manages (inventory.manage there), a variant's
-- inventory terms from the catalog, the stock row of a variant at a location (created on first use), the variant
-- lock that keeps max_quantity true across locations, the one writer of movements, and the trigger that lets a
-- reservation resolve once and keeps its terms.
--
-- Lock order everywhere (docs/inventory.md, "Concurrency"): the variant's advisory lock (only when on hand grows for a
-- variant with max_quantity), then reservations in ascending id, then stock rows in ascending (variant_id,
-- location_id). All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.manage_tenant(p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN identity.role_admin_tenant(p_tenant_id, 'inventory.manage');
COMMENT ON FUNCTION inventory.manage_tenant(bigint) IS
'The tenant whose inventory a staff call manages, once the caller may: a tenant''s user its own tenant (p_tenant_id
NULL or the same), a platform user or the back office the tenant it names; the caller must hold inventory.manage there
(the back office passes). Internal. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_TENANT_MISMATCH,
IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_TENANT, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION inventory.variant_terms(p_tenant_id bigint, p_variant_id bigint,
                                                   OUT inventory_policy text, OUT track_inventory boolean,
                                                   OUT max_quantity integer)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT v.inventory_policy, v.track_inventory, v.max_quantity INTO inventory_policy, track_inventory, max_quantity
      FROM catalog.variant v WHERE v.id = p_variant_id AND v.tenant_id = p_tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_VARIANT', format('variant %s', p_variant_id));
    END IF;
END
$$;
COMMENT ON FUNCTION inventory.variant_terms(bigint, bigint) IS
'A variant''s inventory terms from the catalog (policy DENY or CONTINUE, track_inventory, max_quantity), looked up in
the tenant. Internal. Errors: INVENTORY_UNKNOWN_VARIANT.';

CREATE OR REPLACE FUNCTION inventory.stock_id(p_tenant_id bigint, p_variant_id bigint, p_location_id bigint,
                                              p_for_receipt boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_status text;
    v_id     bigint;
BEGIN
    SELECT l.status INTO v_status FROM inventory.location l WHERE l.id = p_location_id AND l.tenant_id = p_tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_LOCATION', format('location %s', p_location_id));
    ELSIF p_for_receipt AND v_status <> 'ACTIVE' THEN
        PERFORM core.raise('INVENTORY_LOCATION_INACTIVE', format('location %s', p_location_id));
    END IF;
    SELECT s.id INTO v_id FROM inventory.stock s WHERE s.variant_id = p_variant_id AND s.location_id = p_location_id;
    IF v_id IS NULL THEN
        INSERT INTO inventory.stock (tenant_id, variant_id, location_id) VALUES (p_tenant_id, p_variant_id, p_location_id)
        ON CONFLICT (variant_id, location_id) DO NOTHING
        RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            SELECT s.id INTO v_id FROM inventory.stock s WHERE s.variant_id = p_variant_id AND s.location_id = p_location_id;
        END IF;
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION inventory.stock_id(bigint, bigint, bigint, boolean) IS
'The stock row of a variant at a location of the tenant, created (all zero) on first use. The caller has checked the
variant. With p_for_receipt an INACTIVE location is refused. Internal. Errors: INVENTORY_UNKNOWN_LOCATION,
INVENTORY_LOCATION_INACTIVE.';

CREATE OR REPLACE FUNCTION inventory.lock_variant_growth(p_tenant_id bigint, p_variant_id bigint, p_increase integer,
                                                         p_max_quantity integer)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_total bigint;
BEGIN
    IF p_max_quantity IS NULL OR p_increase <= 0 THEN
        RETURN;
    END IF;
    -- One grower of a capped variant at a time, across all its locations: then the sum read below (a new snapshot,
    -- after the lock) includes every earlier grower's commit, and no two receipts of the last slot can both pass.
    PERFORM pg_advisory_xact_lock(hashtextextended('inventory.variant:' || p_variant_id, 0));
    SELECT coalesce(sum(s.on_hand), 0) INTO v_total
      FROM inventory.stock s WHERE s.variant_id = p_variant_id AND s.tenant_id = p_tenant_id;
    IF v_total + p_increase > p_max_quantity THEN
        PERFORM core.raise('INVENTORY_MAX_QUANTITY',
                           format('variant %s: %s on hand across locations + %s would exceed max_quantity %s',
                                  p_variant_id, v_total, p_increase, p_max_quantity));
    END IF;
END
$$;
COMMENT ON FUNCTION inventory.lock_variant_growth(bigint, bigint, integer, integer) IS
'Before on hand grows by p_increase for a variant with a max_quantity: take the variant''s transaction advisory lock
(first in the lock order) and refuse when all its locations together would hold more than max_quantity. A no-op for
uncapped variants and for decreases. Internal. Errors: INVENTORY_MAX_QUANTITY.';

CREATE OR REPLACE FUNCTION inventory.add_movement(p_tenant_id bigint, p_stock_id bigint, p_kind text, p_quantity integer,
                                                  p_on_hand_after integer, p_unit_cost numeric, p_ref_module text,
                                                  p_ref_entity text, p_ref_id text, p_reason text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    -- A catalog cache lookup: the partition of this month exists (the job creates them months ahead); never DDL here.
    IF to_regclass(to_char(now() AT TIME ZONE 'UTC', '"inventory.movement_y"YYYY"m"MM')) IS NULL THEN
        PERFORM core.raise('INVENTORY_NO_PARTITION', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM'));
    END IF;
    INSERT INTO inventory.movement (tenant_id, stock_id, kind, quantity, on_hand_after, unit_cost, ref_module,
                                    ref_entity, ref_id, reason, actor_user_id)
    VALUES (p_tenant_id, p_stock_id, p_kind, p_quantity, p_on_hand_after, p_unit_cost, p_ref_module, p_ref_entity,
            p_ref_id, p_reason, identity.current_user_id())
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION inventory.add_movement(bigint, bigint, text, integer, integer, numeric, text, text, text, text) IS
'Append one movement (the one writer of inventory.movement), with the calling user as actor. Refuses with
INVENTORY_NO_PARTITION when this month has no partition (the job inventory.partitions_ahead creates them), never
creating one in an application transaction. Internal. Errors: INVENTORY_NO_PARTITION.';

CREATE OR REPLACE FUNCTION inventory.check_reference(p_ref_module text, p_ref_entity text, p_ref_id text,
                                                     p_required boolean)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_required AND (p_ref_module IS NULL OR p_ref_entity IS NULL OR p_ref_id IS NULL) THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reference: module, entity and id are required');
    ELSIF (p_ref_module IS NULL) <> (p_ref_entity IS NULL) OR (p_ref_module IS NULL) <> (p_ref_id IS NULL) THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reference: module, entity and id go together');
    ELSIF p_ref_module !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reference module: lower-case letters, digits, _ (63 at most)');
    ELSIF length(p_ref_entity) NOT BETWEEN 1 AND 100 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reference entity: 1 to 100 characters');
    ELSIF length(p_ref_id) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reference id: 1 to 200 characters');
    END IF;
END
$$;
COMMENT ON FUNCTION inventory.check_reference(text, text, text, boolean) IS
'Refuse a malformed reference (module, entity, id) with INVENTORY_INVALID_INPUT naming the part; all three or none
(all three when p_required). Internal. Errors: INVENTORY_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION inventory.reservation_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.state <> 'ACTIVE' THEN
        PERFORM core.raise('INVENTORY_RESERVATION_RESOLVED', format('reservation %s is %s', OLD.id, OLD.state));
    ELSIF (NEW.tenant_id, NEW.stock_id, NEW.quantity, NEW.channel, NEW.ref_module, NEW.ref_entity, NEW.ref_id,
           NEW.expires_at, NEW.created_at, NEW.actor_user_id)
          IS DISTINCT FROM (OLD.tenant_id, OLD.stock_id, OLD.quantity, OLD.channel, OLD.ref_module, OLD.ref_entity,
                            OLD.ref_id, OLD.expires_at, OLD.created_at, OLD.actor_user_id) THEN
        PERFORM core.raise('INVENTORY_IMMUTABLE', format('reservation %s: its terms never change', OLD.id));
    ELSIF NEW.consumed < OLD.consumed OR NEW.backordered > OLD.backordered THEN
        PERFORM core.raise('INVENTORY_IMMUTABLE',
                           format('reservation %s: consumed only grows, backordered only shrinks', OLD.id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION inventory.reservation_guard_trg() IS
'Trigger reservation_guard (BEFORE UPDATE of inventory.reservation): a resolved reservation (RELEASED, CONSUMED,
EXPIRED) never changes (INVENTORY_RESERVATION_RESOLVED); an ACTIVE one keeps its terms, its consumed part only grows and
its backordered part only shrinks (INVENTORY_IMMUTABLE). The CHECKs keep the states and parts consistent. Whoever
writes, the owner included.';

CREATE TRIGGER reservation_guard BEFORE UPDATE ON inventory.reservation
    FOR EACH ROW EXECUTE FUNCTION inventory.reservation_guard_trg();

COMMIT;
