-- Deploy mercato:functions/inventory/locations to pg
-- A tenant's stock locations: create one, change its name, priority, online flag or status (staff with
-- inventory.manage in the tenant; the back office names the tenant). Locations are never deleted: INACTIVE instead.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.create_location(p_code text, p_name text, p_kind text DEFAULT 'WAREHOUSE',
                                                     p_priority integer DEFAULT 100, p_fulfils_online boolean DEFAULT true,
                                                     p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_id     bigint;
BEGIN
    IF p_code IS NULL OR p_code !~ '^[A-Z0-9][A-Z0-9_-]{0,31}$' THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'code: 1 to 32 of A-Z, 0-9, _ and -, starting with a letter or digit');
    ELSIF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'name: 1 to 200 characters');
    ELSIF p_kind IS NULL OR p_kind NOT IN ('WAREHOUSE', 'STORE', 'VIRTUAL', 'CONSIGNMENT') THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'kind: WAREHOUSE, STORE, VIRTUAL or CONSIGNMENT');
    ELSIF p_priority IS NULL OR p_priority NOT BETWEEN 0 AND 1000000 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'priority: 0 to 1,000,000 (lower is preferred)');
    ELSIF p_fulfils_online IS NULL THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'fulfils_online: true or false');
    END IF;
    INSERT INTO inventory.location (tenant_id, code, name, kind, priority, fulfils_online)
    VALUES (v_tenant, p_code, btrim(p_name), p_kind, p_priority, p_fulfils_online)
    ON CONFLICT (tenant_id, code) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('INVENTORY_LOCATION_TAKEN', format('location code %s', p_code));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION inventory.create_location(text, text, text, integer, boolean, bigint) IS
'Create a stock location of the caller''s tenant: code (unique per tenant), name, kind (WAREHOUSE, STORE, VIRTUAL,
CONSIGNMENT), priority (lower is preferred when a reservation picks locations), fulfils_online; returns its id.
A platform user or the back office names the tenant. Needs inventory.manage in the tenant.
Errors: INVENTORY_INVALID_INPUT, INVENTORY_LOCATION_TAKEN, IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH.
Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.update_location(p_location_id bigint, p_name text DEFAULT NULL,
                                                     p_priority integer DEFAULT NULL, p_fulfils_online boolean DEFAULT NULL,
                                                     p_status text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.location
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_row    inventory.location;
BEGIN
    IF p_name IS NOT NULL AND length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'name: 1 to 200 characters');
    ELSIF p_priority IS NOT NULL AND p_priority NOT BETWEEN 0 AND 1000000 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'priority: 0 to 1,000,000 (lower is preferred)');
    ELSIF p_status IS NOT NULL AND p_status NOT IN ('ACTIVE', 'INACTIVE') THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'status: ACTIVE or INACTIVE');
    END IF;
    UPDATE inventory.location l
       SET name = coalesce(btrim(p_name), l.name), priority = coalesce(p_priority, l.priority),
           fulfils_online = coalesce(p_fulfils_online, l.fulfils_online), status = coalesce(p_status, l.status),
           updated_at = now()
     WHERE l.id = p_location_id AND l.tenant_id = v_tenant
    RETURNING l.* INTO v_row;
    IF NOT FOUND THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_LOCATION', format('location %s', p_location_id));
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.update_location(bigint, text, integer, boolean, text, bigint) IS
'Change a location''s name, priority, fulfils_online or status (ACTIVE, INACTIVE); NULL keeps a value. Returns the
row. Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_LOCATION,
IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH. Assumes READ COMMITTED.';

COMMIT;
