-- Deploy mercato:functions/settlement/reads to pg
-- Reading settlement cycles: a provider its own, a marketplace admin any provider's.

BEGIN;

CREATE FUNCTION settlement.list_cycles(p_provider_id bigint DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS SETOF settlement.cycle
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider bigint := p_provider_id;
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        v_provider := (parties.current_provider()).id;
        IF p_provider_id IS NOT NULL AND p_provider_id <> v_provider THEN
            PERFORM core.raise('SETTLEMENT_FORBIDDEN', format('provider %s', p_provider_id));
        END IF;
    END IF;
    RETURN QUERY
    SELECT c.* FROM settlement.cycle c
     WHERE v_provider IS NULL OR c.provider_id = v_provider
     ORDER BY c.period_start DESC, c.id DESC
     LIMIT least(greatest(coalesce(p_limit, 100), 1), 1000);
END
$$;
COMMENT ON FUNCTION settlement.list_cycles(bigint, integer) IS
'Settlement cycles, newest period first: a provider sees its own; a marketplace admin any provider''s (or all).
Errors: SETTLEMENT_FORBIDDEN, IDENTITY_NOT_A_PROVIDER, IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

CREATE FUNCTION settlement.get_cycle(p_cycle_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v settlement.cycle;
BEGIN
    SELECT * INTO v FROM settlement.cycle WHERE id = p_cycle_id;
    IF NOT FOUND THEN
        PERFORM core.raise('SETTLEMENT_UNKNOWN_CYCLE', format('cycle %s', p_cycle_id));
    END IF;
    IF NOT parties.is_marketplace_admin() AND NOT parties.acts_for_provider(v.provider_id) THEN
        PERFORM parties.current_provider();   -- the caller's own errors first (not authenticated, not a provider)
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', format('cycle %s belongs to another provider', p_cycle_id));
    END IF;
    RETURN to_jsonb(v) || jsonb_build_object('lines',
        (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.contract_line_id), '[]')
           FROM settlement.cycle_line l WHERE l.cycle_id = p_cycle_id));
END
$$;
COMMENT ON FUNCTION settlement.get_cycle(bigint) IS
'One cycle with its lines as JSON, for its provider or a marketplace admin. Errors: SETTLEMENT_UNKNOWN_CYCLE,
SETTLEMENT_FORBIDDEN, IDENTITY_NOT_A_PROVIDER. Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
