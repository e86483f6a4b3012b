-- Deploy mercato:functions/masterdata/marketplace to pg
-- Reading the tier rules and commission terms in force at an instant; adding a new version of a rule set; a version of
-- a rule set never takes effect without its rules (checked when its transaction commits, whoever writes). The kernel's
-- masterdata.policy_version knows nothing of these policies: the check is the product's, attached to it here.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MASTERDATA_RULES_INVALID', 'masterdata', 'PT400', 'the rule set is malformed or incomplete', NULL,
 'A new version must give one well-formed row per tier (per currency for commission), thresholds rising with rank.'),
('MASTERDATA_NO_COMMISSION_RULE', 'masterdata', 'PT404', 'no commission rule for this tier and currency', NULL,
 'The COMMISSION_STRATEGY version in force has no row for the tier and currency asked for.'),
('MASTERDATA_COMMISSION_RULE_INVALID', 'masterdata', 'PT400', 'a commission rule''s amounts or minimum share do not fit',
 'give amounts in the currency''s minor units and a minimum_share not below the rate',
 'A commission rule row whose minimum or maximum has more decimals than its currency allows, or whose minimum is '
 'limited to a share of the line below the rate (such a minimum could never apply).'),
('MASTERDATA_RULES_REQUIRED', 'masterdata', 'PT400', 'a version of this rule set needs its rules for every tier',
 'add a commission strategy with masterdata.add_commission_strategy (api.add_commission_strategy); insert tier rules in the transaction that adds their version',
 'A PROVIDER_TIER_RULES, BUSINESS_TIER_RULES or COMMISSION_STRATEGY version is refused, when its transaction commits, '
 'unless it has a rule row for every tier (for commission: in MARKETPLACE_CURRENCY and in every currency it names), '
 'and rule rows belong to a version of their own policy. Nothing is kept; the detail names what is missing.');

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
    -- Now rather than at commit (the constraint triggers below): e.g. a set without the marketplace currency.
    v_bad := masterdata.rule_set_gap(v_id);
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MASTERDATA_RULES_REQUIRED', v_bad, 'give every tier once per currency, the marketplace currency included');
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION masterdata.add_commission_strategy(timestamptz, jsonb, text) IS
'Add a COMMISSION_STRATEGY version in force from p_effective_from (now or later) with its rules
[{"tier_code", "currency", "rate" (a fraction, e.g. "0.075"), "minimum_amount", "maximum_amount", "minimum_share"}],
every tier once per currency, MARKETPLACE_CURRENCY among them. minimum_amount (default 0), maximum_amount (default none)
and minimum_share (a fraction above 0 and below 1, default 0.25: the most of a line''s gross the minimum may take) are
optional. The version in force is never edited; contracts keep the terms of their award time. Needs masterdata.manage.
Errors: IDENTITY_PERMISSION_DENIED, MASTERDATA_RULES_INVALID, MASTERDATA_RULES_REQUIRED, MASTERDATA_COMMISSION_RULE_INVALID
(amounts beyond the currency''s minor units, a minimum_share below the rate), MASTERDATA_POLICY_INVALID,
MASTERDATA_POLICY_OVERLAP.';

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

-- A rule set's version and its rules ------------------------------------------------------------------------------

CREATE FUNCTION masterdata.rule_set_gap(p_policy_version_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_version masterdata.policy_version;
    v_gap     text;
BEGIN
    SELECT * INTO v_version FROM masterdata.policy_version WHERE id = p_policy_version_id;
    IF NOT FOUND THEN
        RETURN NULL;   -- removed again in the same transaction (a version not yet in force may be deleted)
    END IF;
    IF v_version.policy_code = 'PROVIDER_TIER_RULES' THEN
        SELECT 'no rule for provider tier ' || string_agg(t.code, ', ' ORDER BY t.rank) INTO v_gap
          FROM masterdata.provider_tier t
         WHERE NOT EXISTS (SELECT 1 FROM masterdata.provider_tier_rule r
                            WHERE r.policy_version_id = p_policy_version_id AND r.tier_code = t.code);
    ELSIF v_version.policy_code = 'BUSINESS_TIER_RULES' THEN
        SELECT 'no rule for business tier ' || string_agg(t.code, ', ' ORDER BY t.rank) INTO v_gap
          FROM masterdata.business_tier t
         WHERE NOT EXISTS (SELECT 1 FROM masterdata.business_tier_rule r
                            WHERE r.policy_version_id = p_policy_version_id AND r.tier_code = t.code);
    ELSIF v_version.policy_code = 'COMMISSION_STRATEGY' THEN
        SELECT 'no commission rule for ' || string_agg(t.code || ' in ' || c.currency, ', ' ORDER BY c.currency, t.rank) INTO v_gap
          FROM (SELECT r.currency::text AS currency FROM masterdata.commission_rule r WHERE r.policy_version_id = p_policy_version_id
                UNION SELECT masterdata.setting_text('MARKETPLACE_CURRENCY')) c
         CROSS JOIN masterdata.provider_tier t
         WHERE NOT EXISTS (SELECT 1 FROM masterdata.commission_rule r
                            WHERE r.policy_version_id = p_policy_version_id AND r.tier_code = t.code AND r.currency = c.currency);
    END IF;
    IF v_gap IS NULL THEN
        SELECT format('%s rows belong to a version of %s', x.rows, x.policy) INTO v_gap
          FROM (VALUES ('provider_tier_rule', 'PROVIDER_TIER_RULES'), ('business_tier_rule', 'BUSINESS_TIER_RULES'),
                       ('commission_rule', 'COMMISSION_STRATEGY')) x(rows, policy)
         WHERE x.policy <> v_version.policy_code
           AND CASE x.rows
                 WHEN 'provider_tier_rule' THEN EXISTS (SELECT 1 FROM masterdata.provider_tier_rule r WHERE r.policy_version_id = p_policy_version_id)
                 WHEN 'business_tier_rule' THEN EXISTS (SELECT 1 FROM masterdata.business_tier_rule r WHERE r.policy_version_id = p_policy_version_id)
                 ELSE EXISTS (SELECT 1 FROM masterdata.commission_rule r WHERE r.policy_version_id = p_policy_version_id) END
         LIMIT 1;
    END IF;
    RETURN CASE WHEN v_gap IS NOT NULL THEN format('%s version %s: %s', v_version.policy_code, v_version.version, v_gap) END;
END
$$;
COMMENT ON FUNCTION masterdata.rule_set_gap(bigint) IS
'What a policy version lacks to take effect, or NULL when nothing.
A PROVIDER_TIER_RULES or BUSINESS_TIER_RULES version needs a rule row for every tier, a COMMISSION_STRATEGY version one
for every provider tier in MARKETPLACE_CURRENCY and in every other currency it names; and rule rows belong to a version
of their own policy (other policies need no rows). Asked by the constraint triggers below and by
add_commission_strategy.';

CREATE FUNCTION masterdata.rule_set_complete_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- TG_ARGV[0] names the column holding the policy version's id: id on policy_version, policy_version_id on a rule.
    v_gap text := masterdata.rule_set_gap((to_jsonb(NEW) ->> TG_ARGV[0])::bigint);
BEGIN
    IF v_gap IS NOT NULL THEN
        PERFORM core.raise('MASTERDATA_RULES_REQUIRED', v_gap);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masterdata.rule_set_complete_trg() IS
'Constraint trigger: a rule set''s policy version commits only with its rules (MASTERDATA_RULES_REQUIRED).
Fires for a policy version written, or the version of a rule row written, and asks masterdata.rule_set_gap; deferred to
commit, so that a version and its rules are written in one transaction, in any order, whoever writes —
api.add_policy_version included. SECURITY DEFINER: at commit it runs as whatever role the transaction ends in.';

CREATE CONSTRAINT TRIGGER policy_version_rules_complete AFTER INSERT OR UPDATE OF policy_code ON masterdata.policy_version
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION masterdata.rule_set_complete_trg('id');
CREATE CONSTRAINT TRIGGER provider_tier_rule_complete AFTER INSERT ON masterdata.provider_tier_rule
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION masterdata.rule_set_complete_trg('policy_version_id');
CREATE CONSTRAINT TRIGGER business_tier_rule_complete AFTER INSERT ON masterdata.business_tier_rule
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION masterdata.rule_set_complete_trg('policy_version_id');
CREATE CONSTRAINT TRIGGER commission_rule_complete AFTER INSERT ON masterdata.commission_rule
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION masterdata.rule_set_complete_trg('policy_version_id');
COMMENT ON TRIGGER policy_version_rules_complete ON masterdata.policy_version IS
'At commit: a version of a rule set (PROVIDER_TIER_RULES, BUSINESS_TIER_RULES, COMMISSION_STRATEGY) has its rules
for every tier (masterdata.rule_set_complete_trg).';
COMMENT ON TRIGGER provider_tier_rule_complete ON masterdata.provider_tier_rule IS
'At commit: the rule''s version is a complete PROVIDER_TIER_RULES version (masterdata.rule_set_complete_trg).';
COMMENT ON TRIGGER business_tier_rule_complete ON masterdata.business_tier_rule IS
'At commit: the rule''s version is a complete BUSINESS_TIER_RULES version (masterdata.rule_set_complete_trg).';
COMMENT ON TRIGGER commission_rule_complete ON masterdata.commission_rule IS
'At commit: the rule''s version is a complete COMMISSION_STRATEGY version, the marketplace currency included
(masterdata.rule_set_complete_trg).';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
