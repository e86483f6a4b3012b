-- Deploy mercato:functions/masterdata/marketplace to pg
-- Reading the tier rules and commission terms in force at an instant; adding a new version of a rule set.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MASTERDATA_RULES_INVALID', 'masterdata', 'PT400', 'the rule set is malformed or incomplete', NULL,
 'A new version must give one well-formed row per tier (per currency for commission), thresholds rising with rank.'),
('MASTERDATA_NO_COMMISSION_RULE', 'masterdata', 'PT404', 'no commission rule for this tier and currency', NULL,
 'The COMMISSION_STRATEGY version in force has no row for the tier and currency asked for.'),
('MASTERDATA_COMMISSION_RULE_INVALID', 'masterdata', 'PT400', 'a commission rule''s amounts or minimum share do not fit',
 'give amounts in the currency''s minor units and a minimum_share not below the rate',
 'A commission rule row whose minimum or maximum has more decimals than its currency allows, or whose minimum is '
 'limited to a share of the line below the rate (such a minimum could never apply).');

CREATE FUNCTION masterdata.commission_rule_valid_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_units smallint := (SELECT c.minor_units FROM masterdata.currency c WHERE c.code = NEW.currency);
BEGIN
    IF scale(trim_scale(NEW.minimum_amount)) > v_units OR scale(trim_scale(NEW.maximum_amount)) > v_units THEN
        PERFORM core.raise('MASTERDATA_COMMISSION_RULE_INVALID',
                           format('%s %s of policy version %s: minimum %s, maximum %s; %s allows %s decimals', NEW.tier_code,
                                  NEW.currency, NEW.policy_version_id, NEW.minimum_amount, coalesce(NEW.maximum_amount::text, 'none'),
                                  NEW.currency, v_units));
    ELSIF NEW.minimum_amount > 0 AND NEW.minimum_share < NEW.rate THEN
        PERFORM core.raise('MASTERDATA_COMMISSION_RULE_INVALID',
                           format('%s %s of policy version %s: minimum_share %s is below the rate %s', NEW.tier_code,
                                  NEW.currency, NEW.policy_version_id, NEW.minimum_share, NEW.rate));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION masterdata.commission_rule_valid_trg() IS
'Trigger: a commission rule row must fit its currency and make sense, whoever writes it: minimum_amount and
maximum_amount within the currency''s minor units, and when there is a minimum, a minimum_share not below the rate
(the floor least(minimum_amount, gross x minimum_share) would otherwise never exceed the rate''s commission). The
CHECK constraints keep rate, minimum_share and the bounds in range. Error: MASTERDATA_COMMISSION_RULE_INVALID.';

CREATE TRIGGER commission_rule_valid BEFORE INSERT ON masterdata.commission_rule
    FOR EACH ROW EXECUTE FUNCTION masterdata.commission_rule_valid_trg();

CREATE FUNCTION masterdata.commission_terms(p_tier_code text, p_currency text, p_at timestamptz DEFAULT now())
RETURNS TABLE (policy_version_id bigint, version integer, rate numeric, minimum_amount numeric, maximum_amount numeric,
               minimum_share numeric)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version := masterdata.policy_in_force('COMMISSION_STRATEGY', p_at);
BEGIN
    RETURN QUERY SELECT v_policy.id, v_policy.version, r.rate, r.minimum_amount, r.maximum_amount, r.minimum_share
                   FROM masterdata.commission_rule r
                  WHERE r.policy_version_id = v_policy.id AND r.tier_code = p_tier_code AND r.currency = p_currency;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_NO_COMMISSION_RULE', format('%s %s in version %s', p_tier_code, p_currency, v_policy.version));
    END IF;
END
$$;
COMMENT ON FUNCTION masterdata.commission_terms(text, text, timestamptz) IS
'The commission terms of a provider tier in a currency under the COMMISSION_STRATEGY version in force at p_at.
Per settlement line: rate, minimum and maximum, and minimum_share, the most of a line the minimum may take. Errors:
MASTERDATA_NO_POLICY_IN_FORCE, MASTERDATA_NO_COMMISSION_RULE.';

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
        PERFORM core.raise('MASTERDATA_RULES_INVALID', 'p_rules must be an array of {tier_code, currency, rate, minimum_amount, maximum_amount, minimum_share}');
    END IF;
    SELECT format('rule %s: %s', n, left(r::text, 200)) INTO v_bad
      FROM jsonb_array_elements(p_rules) WITH ORDINALITY x(r, n)
     WHERE (NOT EXISTS (SELECT 1 FROM masterdata.provider_tier t WHERE t.code = r ->> 'tier_code')
        OR NOT EXISTS (SELECT 1 FROM masterdata.currency c WHERE c.code = r ->> 'currency')
        OR (r ->> 'rate') !~ '^0(\.[0-9]{1,5})?$'
        OR coalesce(r ->> 'minimum_amount', '0') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$'
        OR (r ->> 'maximum_amount' IS NOT NULL AND ((r ->> 'maximum_amount') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$'
                                                    OR (r ->> 'maximum_amount')::numeric < coalesce(r ->> 'minimum_amount', '0')::numeric))
        OR CASE WHEN r ->> 'minimum_share' IS NULL THEN false   -- optional: the column's default
                WHEN (r ->> 'minimum_share') !~ '^0\.[0-9]{1,5}$' THEN true
                ELSE (r ->> 'minimum_share')::numeric = 0 END)
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
      FROM jsonb_array_elements(p_rules) r WHERE r ->> 'minimum_share' IS NULL;   -- the column's default share
    INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount,
                                            minimum_share)
    SELECT v_id, r ->> 'tier_code', r ->> 'currency', (r ->> 'rate')::numeric, coalesce(r ->> 'minimum_amount', '0')::numeric,
           (r ->> 'maximum_amount')::numeric, (r ->> 'minimum_share')::numeric
      FROM jsonb_array_elements(p_rules) r WHERE r ->> 'minimum_share' IS NOT NULL;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION masterdata.add_commission_strategy(timestamptz, jsonb, text) IS
'Add a COMMISSION_STRATEGY version in force from p_effective_from (now or later) with its rules
[{"tier_code", "currency", "rate" (a fraction, e.g. "0.075"), "minimum_amount", "maximum_amount", "minimum_share"}],
every tier once per currency. minimum_amount (default 0), maximum_amount (default none) and minimum_share (a fraction
above 0 and below 1, default 0.25: the most of a line''s gross the minimum may take) are optional. The version in
force is never edited; contracts keep the terms of their award time. Needs masterdata.manage. Errors:
IDENTITY_PERMISSION_DENIED, MASTERDATA_RULES_INVALID, MASTERDATA_COMMISSION_RULE_INVALID (amounts beyond the
currency''s minor units, a minimum_share below the rate), MASTERDATA_POLICY_INVALID, MASTERDATA_POLICY_OVERLAP.';

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
