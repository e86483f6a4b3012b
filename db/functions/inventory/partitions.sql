-- Deploy mercato:functions/inventory/partitions to pg
-- The monthly partitions of inventory.movement, created ahead: inventory.ensure_partitions (the function of the job
-- inventory.partitions_ahead, functions/inventory/jobs), called once here so that a fresh database has this month and
-- the next three. Movements never create a partition (inventory.add_movement refuses with INVENTORY_NO_PARTITION).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.ensure_partitions(p_at timestamptz DEFAULT now(), p_months_ahead integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_month   timestamptz;
    v_created integer := 0;
    v_name    text;
BEGIN
    IF p_at IS NULL OR p_months_ahead IS NULL OR p_months_ahead NOT BETWEEN 0 AND 120 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_months_ahead must be between 0 and 120');
    END IF;
    -- Serialise creators; CREATE TABLE ... PARTITION OF is not safe to race.
    PERFORM pg_advisory_xact_lock(hashtext('inventory.ensure_partitions'));
    FOR i IN 0 .. p_months_ahead LOOP
        v_month := date_trunc('month', p_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
        v_name := to_char(v_month AT TIME ZONE 'UTC', '"movement_y"YYYY"m"MM');
        IF to_regclass(format('inventory.%I', v_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE inventory.%I PARTITION OF inventory.movement FOR VALUES FROM (%L) TO (%L)',
                           v_name, v_month, v_month + interval '1 month');
            EXECUTE format('REVOKE ALL ON inventory.%I FROM PUBLIC', v_name);
            v_created := v_created + 1;
        END IF;
    END LOOP;
    RETURN v_created;
END
$$;
COMMENT ON FUNCTION inventory.ensure_partitions(timestamptz, integer) IS
'Create the monthly partitions of inventory.movement from the month of p_at to p_months_ahead months later (UTC
months, inventory.movement_yYYYYmMM). Returns how many were created. Idempotent and safe to call concurrently (advisory
lock). The function of the job inventory.partitions_ahead; never called by a movement. Errors: CORE_INVALID_ARGUMENT.
Owner and jobs only.';

SELECT inventory.ensure_partitions(now(), 3);

COMMIT;
