-- Deploy mercato:functions/masterdata/marketplace to pg
-- Reading the tier rules and commission terms in force at an instant; adding a new version of a rule set.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MASTERDATA_RULES_INVALID', 'masterdata', 'PT400', 'the rule set is malformed or incomplete', NULL,
 'A new version must give one well-formed row per tier (per currency for commission), thresholds rising with rank.'),
('MASTERDATA_NO_COMMISSION_RULE', 'masterdata', 'PT404', 'no commission rule for this tier and currency', NULL,
 'The COMMISSION_STRATEGY version in force has no row for the tier and currency asked for.');

CREATE FUNCTION masterdata.commission_terms(p_tier_code text, p_currency text, p_at timestamptz DEFAULT now())
RETURNS TABLE (policy_version_id bigint, version integer, rate numeric, minimum_amount numeric, maximum_amount numeric)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('COMMISSION_STRATEGY', p_at);
BEGIN
    RETURN QUERY SELECT v_policy.id, v_policy.version, r.rate, r.minimum_amount, r.maximum_amount
                   FROM masterdata.commission_rule r
                  WHERE r.policy_version_id = v_policy.id AND r.tier_code = p_tier_code AND r.currency = p_currency;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_NO_COMMISSION_RULE', format('%s %s in version %s', p_tier_code, p_currency, v_policy.version));
    END IF;
END
$$;
COMMENT ON FUNCTION masterdata.commission_terms(text, text, timestamptz) IS
'The commission terms (rate, minimum and maximum per settlement line) of a provider tier in a currency, under the
COMMISSION_STRATEGY version in force at p_at. Errors: MASTERDATA_NO_POLICY_IN_FORCE, MASTERDATA_NO_COMMISSION_RULE.';

CREATE FUNCTION masterdata.add_commission_strategy(p_effective_from timestamptz, p_rules jsonb, p_note text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id  bigint;
    v_bad text;
BEGIN
    PERFORM identity.require_permission('masterdata.manage');
    IF p_rules IS NULL OR jsonb_typeof(p_rules) <> 'array' OR jsonb_path_exists(p_rules, 'strict $[*] ? (@.type() != "object")') THEN
        PERFORM core.raise('MASTERDATA_RULES_INVALID', 'p_rules must be an array of {tier_code, currency, rate, minimum_amount, maximum_amount}');
    END IF;
    SELECT format('rule %s: %s', n, left(r::text, 200)) INTO v_bad
      FROM jsonb_array_elements(p_rules) WITH ORDINALITY x(r, n)
     WHERE (NOT EXISTS (SELECT 1 FROM masterdata.provider_tier t WHERE t.code = r ->> 'tier_code')
        OR NOT EXISTS (SELECT 1 FROM masterdata.currency c WHERE c.code = r ->> 'currency')
        OR (r ->> 'rate') !~ '^0(\.[0-9]{1,5})?$'
        OR coalesce(r ->> 'minimum_amount', '0') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$'
        OR (r ->> 'maximum_amount' IS NOT NULL AND ((r ->> 'maximum_amount') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$'
                                                    OR (r ->> 'maximum_amount')::numeric < coalesce(r ->> 'minimum_amount', '0')::numeric)))
           IS NOT FALSE   -- a test that is NULL (a missing or JSON-null member) means malformed
     LIMIT 1;
    IF v_bad IS NULL THEN
        SELECT format('currency %s: %s of %s tiers', c, count(*), (SELECT count(*) FROM masterdata.provider_tier)) INTO v_bad
          FROM (SELECT DISTINCT r ->> 'currency' AS c, r ->> 'tier_code' AS t FROM jsonb_array_elements(p_rules) r) x
         GROUP BY c HAVING count(*) <> (SELECT count(*) FROM masterdata.provider_tier) LIMIT 1;
    END IF;
    IF v_bad IS NULL AND (SELECT count(*) FROM jsonb_array_elements(p_rules)) <>
                         (SELECT count(DISTINCT (r ->> 'currency', r ->> 'tier_code')) FROM jsonb_array_elements(p_rules) r) THEN
        v_bad := 'a tier appears twice for one currency';
    END IF;
    IF v_bad IS NOT NULL OR jsonb_array_length(p_rules) = 0 THEN
        PERFORM core.raise('MASTERDATA_RULES_INVALID', coalesce(v_bad, 'no rules'), 'give every tier exactly once per currency');
    END IF;
    v_id := masterdata.add_policy_version('COMMISSION_STRATEGY', p_effective_from, jsonb_build_object('rows', 'masterdata.commission_rule'), p_note);
    INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount)
    SELECT v_id, r ->> 'tier_code', r ->> 'currency', (r ->> 'rate')::numeric, coalesce(r ->> 'minimum_amount', '0')::numeric,
           (r ->> 'maximum_amount')::numeric
      FROM jsonb_array_elements(p_rules) r;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION masterdata.add_commission_strategy(timestamptz, jsonb, text) IS
'Add a COMMISSION_STRATEGY version in force from p_effective_from (now or later) with its rules
[{"tier_code", "currency", "rate" (a fraction, e.g. "0.075"), "minimum_amount", "maximum_amount"}], every tier once per
currency. The version in force is never edited; contracts keep the terms of their award time. Needs masterdata.manage.
Errors: IDENTITY_PERMISSION_DENIED, MASTERDATA_RULES_INVALID, MASTERDATA_POLICY_INVALID, MASTERDATA_POLICY_OVERLAP.';

CREATE FUNCTION masterdata.business_tier_quota(p_tier_code text, p_at timestamptz DEFAULT now())
RETURNS integer
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT r.max_rfqs_per_month FROM masterdata.business_tier_rule r
         WHERE r.policy_version_id = (masterdata.policy_in_force('BUSINESS_TIER_RULES', p_at)).id AND r.tier_code = p_tier_code);
COMMENT ON FUNCTION masterdata.business_tier_quota(text, timestamptz) IS
'The monthly RFQ quota of a business tier under the BUSINESS_TIER_RULES version in force (NULL = unlimited).
Error: MASTERDATA_NO_POLICY_IN_FORCE.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
