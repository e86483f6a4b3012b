-- Deploy mercato:functions/parties/tiers to pg
-- Tier calculation, set-based over every provider and business (or one), with a demotion grace period; every change
-- recorded with its inputs and the rule version. Planned after contracts, whose active fleets it reads.
--
-- Provider tier = the highest tier whose trust threshold AND active-fleet threshold both hold (PROVIDER_TIER_RULES in
-- force); business tier = the highest whose completed-contracts AND active-fleet thresholds hold (BUSINESS_TIER_RULES).
-- Active fleet = distinct vehicles in ACTIVE assignments of ACTIVE contracts. Anti-flapping: a party qualifying for a
-- higher tier is promoted at once; one qualifying only for a lower tier is demoted only after it has qualified below
-- its tier continuously for TIER_DEMOTION_GRACE_DAYS (parties.tier_candidate remembers since when; qualifying again
-- for its own tier clears that), and then to the tier it qualifies for at that moment.
--
-- Trust score: delivery outcomes are recorded as pending parties.trust_score_event rows (delivery.record_trust_outcome,
-- no provider row lock on the verification path) and folded into parties.provider.trust_score here, in event order,
-- with the same exponential moving average as always: new = round(old + 0.1 x (target - old)). Every tier
-- recalculation folds first, so tiers always see every recorded outcome.

BEGIN;

CREATE FUNCTION parties.trust_step(p_old smallint, p_target smallint)
RETURNS smallint
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN round(p_old + 0.1 * (p_target - p_old))::smallint;
COMMENT ON FUNCTION parties.trust_step(smallint, smallint) IS
'The trust-score formula for one outcome: new = round(old + 0.1 x (target - old)), i.e. 10 % of the way to the
outcome''s target, rounded half up. Bounded 0..100 by construction (old and target are).';

CREATE FUNCTION parties.trust_fold_step(p_state smallint, p_start smallint, p_target smallint)
RETURNS smallint
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN parties.trust_step(coalesce(p_state, p_start), p_target);
COMMENT ON FUNCTION parties.trust_fold_step(smallint, smallint, smallint) IS
'Internal: transition function of the parties.trust_fold aggregate (the first event starts from p_start, the
provider''s score before the fold; each later one from the score the previous event produced).';

CREATE AGGREGATE parties.trust_fold(smallint, smallint) (SFUNC = parties.trust_fold_step, STYPE = smallint);
COMMENT ON AGGREGATE parties.trust_fold(smallint, smallint) IS
'Internal: trust_fold(start score, target) over a provider''s events in order is the score after applying them one
by one with parties.trust_step; as a window aggregate it gives the score after each event.';

CREATE FUNCTION parties.fold_trust_events(p_provider_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n bigint;
BEGIN
    -- One fold at a time: a pending event is applied exactly once.
    PERFORM pg_advisory_xact_lock(hashtext('parties.fold_trust_events'));
    WITH locked AS (
        -- The providers with pending events, locked in ascending id order (their latest row version).
        SELECT p.id, p.trust_score FROM parties.provider p
         WHERE p.id IN (SELECT e.provider_id FROM parties.trust_score_event e
                         WHERE e.applied_at IS NULL AND (p_provider_id IS NULL OR e.provider_id = p_provider_id))
         ORDER BY p.id
           FOR NO KEY UPDATE),
    f AS (
        SELECT e.id, e.provider_id, l.trust_score AS start,
               parties.trust_fold(l.trust_score, e.target)
                   OVER (PARTITION BY e.provider_id ORDER BY e.id ROWS UNBOUNDED PRECEDING) AS new_score
          FROM parties.trust_score_event e JOIN locked l ON l.id = e.provider_id
         WHERE e.applied_at IS NULL),
    g AS (
        SELECT f.id, f.provider_id, f.new_score,
               coalesce(lag(f.new_score) OVER (PARTITION BY f.provider_id ORDER BY f.id), f.start) AS old_score,
               f.id = max(f.id) OVER (PARTITION BY f.provider_id) AS last
          FROM f),
    applied AS (
        UPDATE parties.trust_score_event e SET old_score = g.old_score, new_score = g.new_score, applied_at = now()
          FROM g WHERE e.id = g.id
        RETURNING e.id),
    scored AS (
        UPDATE parties.provider p SET trust_score = g.new_score, updated_at = now()
          FROM g WHERE p.id = g.provider_id AND g.last
        RETURNING p.id)
    SELECT count(*) INTO v_n FROM applied;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION parties.fold_trust_events(bigint) IS
'Internal: apply every pending trust-score event (of all providers, or of one) to parties.provider.trust_score, per
provider in event id order, each with parties.trust_step (new = round(old + 0.1 x (target - old))); fills in each
event''s old_score, new_score and applied_at. Returns how many events it applied. One statement; one fold at a time
(advisory lock); locks the providers concerned in ascending id order (FOR NO KEY UPDATE, which does not block the
FOR KEY SHARE of a verification inserting a new event). Assumes READ COMMITTED.';

CREATE FUNCTION parties.apply_trust_events()
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM parties.require_admin();
    RETURN parties.fold_trust_events();
END
$$;
COMMENT ON FUNCTION parties.apply_trust_events() IS
'Fold every pending trust-score event into the providers'' scores now (parties.fold_trust_events); returns how many
events were applied. parties.recalculate_tiers does the same first; a scheduler may call this more often so that
scores shown to parties and copied into new contracts are fresh. Caller: the service role or a marketplace admin.
Errors: IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE FUNCTION parties.recalculate_provider_tiers(p_provider_id bigint DEFAULT NULL)
RETURNS TABLE (evaluated bigint, promoted bigint, demoted bigint, pending_demotion bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('PROVIDER_TIER_RULES');
    v_grace  integer := masterdata.setting_number('TIER_DEMOTION_GRACE_DAYS')::integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('parties.recalculate_tiers'), hashtext('PROVIDER'));
    -- Every recorded delivery outcome counts: fold the pending trust-score events first.
    PERFORM parties.fold_trust_events(p_provider_id);
    RETURN QUERY
    WITH rules AS (
        SELECT r.tier_code, t.rank, r.min_trust_score, r.min_active_vehicles
          FROM masterdata.provider_tier_rule r JOIN masterdata.provider_tier t ON t.code = r.tier_code
         WHERE r.policy_version_id = v_policy.id),
    fleet AS (
        SELECT a.provider_id, count(DISTINCT a.vehicle_id) AS n
          FROM contracts.assignment a JOIN contracts.contract k ON k.id = a.contract_id
         WHERE a.status = 'ACTIVE' AND k.status = 'ACTIVE' AND (p_provider_id IS NULL OR a.provider_id = p_provider_id)
         GROUP BY a.provider_id),
    q AS (
        SELECT p.id, p.tier_code, t.rank, p.trust_score, coalesce(f.n, 0) AS fleet, x.tier_code AS q_tier, x.rank AS q_rank,
               c.since AS lower_since
          FROM parties.provider p
          JOIN masterdata.provider_tier t ON t.code = p.tier_code
          LEFT JOIN fleet f ON f.provider_id = p.id
          LEFT JOIN parties.tier_candidate c ON c.party_type = 'PROVIDER' AND c.party_id = p.id
          CROSS JOIN LATERAL (SELECT r.tier_code, r.rank FROM rules r
                               WHERE p.trust_score >= r.min_trust_score AND coalesce(f.n, 0) >= r.min_active_vehicles
                               ORDER BY r.rank DESC LIMIT 1) x
         WHERE p_provider_id IS NULL OR p.id = p_provider_id),
    d AS (
        SELECT q.*, CASE WHEN q.q_rank > q.rank THEN 'PROMOTE'
                         WHEN q.q_rank = q.rank THEN CASE WHEN q.lower_since IS NULL THEN 'KEEP' ELSE 'CLEAR' END
                         WHEN q.lower_since IS NOT NULL AND q.lower_since <= now() - make_interval(days => v_grace) THEN 'DEMOTE'
                         ELSE 'PENDING' END AS action
          FROM q),
    changed AS (
        UPDATE parties.provider p SET tier_code = d.q_tier, tier_since = now(), updated_at = now()
          FROM d WHERE p.id = d.id AND d.action IN ('PROMOTE', 'DEMOTE')
        RETURNING p.id),
    history AS (
        INSERT INTO parties.tier_change (party_type, party_id, old_tier, new_tier, policy_version_id, inputs)
        SELECT 'PROVIDER', d.id, d.tier_code, d.q_tier, v_policy.id,
               jsonb_build_object('trust_score', d.trust_score, 'active_vehicles', d.fleet, 'qualified_tier', d.q_tier,
                                  'qualified_below_since', d.lower_since, 'grace_days', v_grace,
                                  'rules_version', v_policy.version)
          FROM d WHERE d.action IN ('PROMOTE', 'DEMOTE')
        RETURNING 1),
    cleared AS (
        DELETE FROM parties.tier_candidate c USING d
         WHERE c.party_type = 'PROVIDER' AND c.party_id = d.id AND d.action IN ('PROMOTE', 'DEMOTE', 'CLEAR')
        RETURNING 1),
    noted AS (
        INSERT INTO parties.tier_candidate (party_type, party_id, qualified_tier, since)
        SELECT 'PROVIDER', d.id, d.q_tier, now() FROM d WHERE d.action = 'PENDING'
        ON CONFLICT (party_type, party_id) DO UPDATE SET qualified_tier = EXCLUDED.qualified_tier
        RETURNING 1)
    SELECT count(*), count(*) FILTER (WHERE d.action = 'PROMOTE'), count(*) FILTER (WHERE d.action = 'DEMOTE'),
           count(*) FILTER (WHERE d.action = 'PENDING')
      FROM d;
END
$$;
COMMENT ON FUNCTION parties.recalculate_provider_tiers(bigint) IS
'Internal: recalculate the tier of every provider (or one), set-based: pending trust-score events folded first
(parties.fold_trust_events), then inputs (trust score, active fleet), the
qualifying tier under PROVIDER_TIER_RULES in force, promotion at once, demotion after TIER_DEMOTION_GRACE_DAYS below
the tier; changes written to parties.tier_change with their inputs. One run at a time (advisory lock).';

CREATE FUNCTION parties.recalculate_business_tiers(p_business_id bigint DEFAULT NULL)
RETURNS TABLE (evaluated bigint, promoted bigint, demoted bigint, pending_demotion bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('BUSINESS_TIER_RULES');
    v_grace  integer := masterdata.setting_number('TIER_DEMOTION_GRACE_DAYS')::integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('parties.recalculate_tiers'), hashtext('BUSINESS'));
    RETURN QUERY
    WITH rules AS (
        SELECT r.tier_code, t.rank, r.min_completed_contracts, r.min_active_fleet
          FROM masterdata.business_tier_rule r JOIN masterdata.business_tier t ON t.code = r.tier_code
         WHERE r.policy_version_id = v_policy.id),
    completed AS (
        SELECT k.business_id, count(*) AS n FROM contracts.contract k
         WHERE k.status = 'COMPLETED' AND (p_business_id IS NULL OR k.business_id = p_business_id) GROUP BY k.business_id),
    fleet AS (
        SELECT k.business_id, count(DISTINCT a.vehicle_id) AS n
          FROM contracts.assignment a JOIN contracts.contract k ON k.id = a.contract_id
         WHERE a.status = 'ACTIVE' AND k.status = 'ACTIVE' AND (p_business_id IS NULL OR k.business_id = p_business_id)
         GROUP BY k.business_id),
    q AS (
        SELECT b.id, b.tier_code, t.rank, coalesce(c.n, 0) AS completed, coalesce(f.n, 0) AS fleet, x.tier_code AS q_tier,
               x.rank AS q_rank, tc.since AS lower_since
          FROM parties.business b
          JOIN masterdata.business_tier t ON t.code = b.tier_code
          LEFT JOIN completed c ON c.business_id = b.id
          LEFT JOIN fleet f ON f.business_id = b.id
          LEFT JOIN parties.tier_candidate tc ON tc.party_type = 'BUSINESS' AND tc.party_id = b.id
          CROSS JOIN LATERAL (SELECT r.tier_code, r.rank FROM rules r
                               WHERE coalesce(c.n, 0) >= r.min_completed_contracts AND coalesce(f.n, 0) >= r.min_active_fleet
                               ORDER BY r.rank DESC LIMIT 1) x
         WHERE p_business_id IS NULL OR b.id = p_business_id),
    d AS (
        SELECT q.*, CASE WHEN q.q_rank > q.rank THEN 'PROMOTE'
                         WHEN q.q_rank = q.rank THEN CASE WHEN q.lower_since IS NULL THEN 'KEEP' ELSE 'CLEAR' END
                         WHEN q.lower_since IS NOT NULL AND q.lower_since <= now() - make_interval(days => v_grace) THEN 'DEMOTE'
                         ELSE 'PENDING' END AS action
          FROM q),
    changed AS (
        UPDATE parties.business b SET tier_code = d.q_tier, tier_since = now(), updated_at = now()
          FROM d WHERE b.id = d.id AND d.action IN ('PROMOTE', 'DEMOTE')
        RETURNING b.id),
    history AS (
        INSERT INTO parties.tier_change (party_type, party_id, old_tier, new_tier, policy_version_id, inputs)
        SELECT 'BUSINESS', d.id, d.tier_code, d.q_tier, v_policy.id,
               jsonb_build_object('completed_contracts', d.completed, 'active_fleet', d.fleet, 'qualified_tier', d.q_tier,
                                  'qualified_below_since', d.lower_since, 'grace_days', v_grace,
                                  'rules_version', v_policy.version)
          FROM d WHERE d.action IN ('PROMOTE', 'DEMOTE')
        RETURNING 1),
    cleared AS (
        DELETE FROM parties.tier_candidate c USING d
         WHERE c.party_type = 'BUSINESS' AND c.party_id = d.id AND d.action IN ('PROMOTE', 'DEMOTE', 'CLEAR')
        RETURNING 1),
    noted AS (
        INSERT INTO parties.tier_candidate (party_type, party_id, qualified_tier, since)
        SELECT 'BUSINESS', d.id, d.q_tier, now() FROM d WHERE d.action = 'PENDING'
        ON CONFLICT (party_type, party_id) DO UPDATE SET qualified_tier = EXCLUDED.qualified_tier
        RETURNING 1)
    SELECT count(*), count(*) FILTER (WHERE d.action = 'PROMOTE'), count(*) FILTER (WHERE d.action = 'DEMOTE'),
           count(*) FILTER (WHERE d.action = 'PENDING')
      FROM d;
END
$$;
COMMENT ON FUNCTION parties.recalculate_business_tiers(bigint) IS
'Internal: recalculate the tier of every business (or one), set-based, like parties.recalculate_provider_tiers with
completed contracts and active fleet under BUSINESS_TIER_RULES in force.';

CREATE FUNCTION parties.recalculate_tiers()
RETURNS TABLE (party_type text, evaluated bigint, promoted bigint, demoted bigint, pending_demotion bigint)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM parties.require_admin();
    RETURN QUERY SELECT 'PROVIDER'::text, r.* FROM parties.recalculate_provider_tiers() r
                 UNION ALL
                 SELECT 'BUSINESS'::text, r.* FROM parties.recalculate_business_tiers() r;
END
$$;
COMMENT ON FUNCTION parties.recalculate_tiers() IS
'Recalculate every provider''s and business''s tier in a few set-based statements (no per-entity loop).
Pending trust-score events are folded into the scores first (parties.fold_trust_events); promotion at
once, demotion only after TIER_DEMOTION_GRACE_DAYS qualifying below the tier; each change recorded in
parties.tier_change with its inputs and rule version. Returns per party type: evaluated, promoted, demoted, pending
demotion. Caller: the service role (a scheduler) or a marketplace admin. Errors: IDENTITY_PERMISSION_DENIED,
MASTERDATA_NO_POLICY_IN_FORCE. Serialised per party type by an advisory lock; assumes READ COMMITTED.';

CREATE FUNCTION parties.recalculate_provider_tier(p_provider_id bigint)
RETURNS TABLE (tier_code text, changed boolean)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    PERFORM parties.require_admin();
    IF NOT EXISTS (SELECT 1 FROM parties.provider WHERE id = p_provider_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_PROVIDER', format('provider %s', p_provider_id));
    END IF;
    SELECT * INTO r FROM parties.recalculate_provider_tiers(p_provider_id);
    RETURN QUERY SELECT p.tier_code, r.promoted + r.demoted > 0 FROM parties.provider p WHERE p.id = p_provider_id;
END
$$;
COMMENT ON FUNCTION parties.recalculate_provider_tier(bigint) IS
'Recalculate one provider''s tier (same rules and history as parties.recalculate_tiers); returns its tier and whether
it changed. Caller: service role or admin. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_UNKNOWN_PROVIDER.';

CREATE FUNCTION parties.recalculate_business_tier(p_business_id bigint)
RETURNS TABLE (tier_code text, changed boolean)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    PERFORM parties.require_admin();
    IF NOT EXISTS (SELECT 1 FROM parties.business WHERE id = p_business_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_BUSINESS', format('business %s', p_business_id));
    END IF;
    SELECT * INTO r FROM parties.recalculate_business_tiers(p_business_id);
    RETURN QUERY SELECT b.tier_code, r.promoted + r.demoted > 0 FROM parties.business b WHERE b.id = p_business_id;
END
$$;
COMMENT ON FUNCTION parties.recalculate_business_tier(bigint) IS
'Recalculate one business''s tier (same rules and history as parties.recalculate_tiers); returns its tier and whether
it changed. Caller: service role or admin. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_UNKNOWN_BUSINESS.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
