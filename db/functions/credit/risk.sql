-- Deploy mercato:functions/credit/risk to pg
-- Risk categories and credit bands from the versioned policy CREDIT_RISK_BANDS (schemas/credit/foundation): a score's
-- category (credit.risk_of) and the band with the maximum credit limit it allows in a currency (credit.risk_band).
-- Nothing is stored: a new policy version changes every retailer's category from its effective time on.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION credit.risk_band(p_score integer, p_currency text DEFAULT NULL, p_at timestamptz DEFAULT now())
RETURNS TABLE (category text, min_score integer, max_score integer, max_limit numeric, policy_version integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy masterdata.policy_version;
    v_band   jsonb;
BEGIN
    IF p_score IS NULL OR p_score NOT BETWEEN 300 AND 900 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'score must be between 300 and 900');
    END IF;
    v_policy := masterdata.policy_in_force('CREDIT_RISK_BANDS', coalesce(p_at, now()));
    SELECT b INTO v_band
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_policy.body -> 'bands') = 'array'
                                     THEN v_policy.body -> 'bands' ELSE '[]' END) AS b
     WHERE jsonb_typeof(b -> 'min_score') = 'number' AND jsonb_typeof(b -> 'max_score') = 'number'
       AND p_score BETWEEN (b ->> 'min_score')::integer AND (b ->> 'max_score')::integer
     ORDER BY (b ->> 'min_score')::integer
     LIMIT 1;
    IF v_band IS NULL OR jsonb_typeof(v_band -> 'category') IS DISTINCT FROM 'string'
       OR (p_currency IS NOT NULL AND jsonb_typeof(v_band -> 'max_limit' -> p_currency) IS DISTINCT FROM 'string') THEN
        PERFORM core.raise('CREDIT_RISK_BANDS_UNDEFINED',
                           format('policy CREDIT_RISK_BANDS version %s: no band for score %s%s', v_policy.version,
                                  p_score, CASE WHEN p_currency IS NULL THEN '' ELSE ' in ' || p_currency END));
    END IF;
    category := v_band ->> 'category';
    min_score := (v_band ->> 'min_score')::integer;
    max_score := (v_band ->> 'max_score')::integer;
    max_limit := CASE WHEN p_currency IS NOT NULL THEN (v_band -> 'max_limit' ->> p_currency)::numeric END;
    policy_version := v_policy.version;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION credit.risk_band(integer, text, timestamptz) IS
'The risk band of a credit score (300..900) at an instant (default now), from the policy CREDIT_RISK_BANDS in force:
its category, score range, the maximum credit limit it allows in p_currency (NULL without a currency) and the policy
version. Errors: CREDIT_INVALID_INPUT, MASTERDATA_NO_POLICY_IN_FORCE, CREDIT_RISK_BANDS_UNDEFINED (a score or currency
the version does not cover: refused, never unlimited).';

CREATE OR REPLACE FUNCTION credit.risk_of(p_score integer, p_at timestamptz DEFAULT now())
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT b.category FROM credit.risk_band(p_score, NULL, p_at) b);
COMMENT ON FUNCTION credit.risk_of(integer, timestamptz) IS
'The risk category (VERY_HIGH, HIGH, MEDIUM, LOW in version 1) of a credit score at an instant, from the policy
CREDIT_RISK_BANDS in force then; derived, never stored. Errors: those of credit.risk_band.';

REVOKE ALL ON FUNCTION credit.risk_band(integer, text, timestamptz), credit.risk_of(integer, timestamptz) FROM PUBLIC;

COMMIT;
