-- Deploy mercato:functions/identity/jobs to pg
-- Identity's periodic duties (docs/jobs.md), with their functions (added after the release, so in a change of their
-- own): the purge of sign-in throttle rows that no longer count, and of verification and reset tokens that expired
-- long ago. Retention, not business facts: neither row is a fact anyone reads later (the audit log keeps the events).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.purge_throttle(p_limit integer DEFAULT 50000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    IF (p_limit BETWEEN 1 AND 1000000) IS NOT TRUE THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_limit must be between 1 and 1,000,000');
    END IF;
    DELETE FROM identity.sign_in_throttle t
     WHERE (t.tenant_key, t.login) IN (
           SELECT x.tenant_key, x.login FROM identity.sign_in_throttle x
            WHERE (x.locked_until IS NULL OR x.locked_until <= now())
              AND (x.last_failure_at IS NULL OR x.last_failure_at < now() - interval '1 day')
            ORDER BY x.tenant_key, x.login
            LIMIT p_limit
              FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION identity.purge_throttle(integer) IS
'Delete the sign-in throttle rows that no longer count; returns how many.
No lock in force and no failure in the last day (a failure a day after the last one starts counting anew anyway,
identity.sign_in); at most p_limit a run. Rows a sign-in holds are skipped (SKIP LOCKED), and identity.sign_in inserts
its row again when it was purged in between. The function of the job identity.purge_throttle. Errors:
CORE_INVALID_ARGUMENT. Owner only. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION identity.purge_tokens(p_keep_days integer DEFAULT 30)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    IF (p_keep_days BETWEEN 1 AND 3650) IS NOT TRUE THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_keep_days must be between 1 and 3650');
    END IF;
    DELETE FROM identity.token t
     WHERE t.id IN (SELECT x.id FROM identity.token x
                     WHERE x.login_identifier_id IS NOT NULL AND x.purpose IN ('VERIFY_LOGIN', 'RESET_PASSWORD')
                       AND x.expires_at < now() - make_interval(days => p_keep_days)
                     ORDER BY x.id LIMIT 50000);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION identity.purge_tokens(integer) IS
'Delete verification and password reset tokens that expired more than p_keep_days days ago; returns how many.
Used or not; p_keep_days at least 1 (the cooldown and the daily count read the last day''s tokens); at most 50,000 a
run. REFRESH tokens are kept (their session''s history). The function of the job identity.purge_tokens. Errors:
CORE_INVALID_ARGUMENT. Owner only.';

SELECT jobs.register('identity.purge_throttle', '52 3 * * *', 'identity.purge_throttle(integer)',
    'Identity: delete sign-in throttle rows without a lock in force and without a failure for a day '
    '(identity.purge_throttle).');
SELECT jobs.register('identity.purge_tokens', '57 3 * * *', 'identity.purge_tokens(integer)',
    'Identity: delete verification and password-reset tokens that expired more than 30 days ago '
    '(identity.purge_tokens).');

COMMIT;
