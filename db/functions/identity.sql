-- Deploy mercato:functions/identity to pg
-- Rework (issue 17): identity.current_actor() refuses a JWT that sign-in or a revocation has made stale. The rest of
-- functions/identity is unchanged (db/functions/identity@v0.1.0.sql); this script replaces one function.
-- A JWT whose "iat" is before the second of the user's tokens_valid_after (a password change, revoke_all_sessions,
-- deactivation), or whose "sid" names a session that is no longer ACTIVE (sign-out, revocation, reuse detection,
-- deactivation), is refused with IDENTITY_TOKEN_REVOKED (401) — from the transaction after the revocation on, so that
-- the revoking transaction itself (whose audit events ask current_actor) completes. Claims without "iat" / "sid"
-- (tokens of an external identity provider, the tests' helpers) are not checked for them.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.current_actor()
RETURNS identity.actor
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_claims      jsonb := identity.claims();
    v_actor       identity.actor;
    v_valid_after timestamptz;
    v_iat         text;
    v_sid         text;
BEGIN
    v_actor.claims := v_claims;
    v_actor.subject := nullif(v_claims ->> 'sub', '');
    v_actor.role := v_claims ->> 'role';
    IF v_actor.subject IS NOT NULL THEN
        SELECT u.id, u.user_type, u.tenant_id, u.status, u.tokens_valid_after
          INTO v_actor.user_id, v_actor.user_type, v_actor.tenant_id, v_actor.status, v_valid_after
          FROM identity.user_account u
         WHERE u.auth_subject = v_actor.subject;
        IF v_actor.user_id IS NOT NULL THEN
            v_iat := v_claims ->> 'iat';
            IF v_iat IS NOT NULL AND v_valid_after < now() THEN   -- revoked by an earlier transaction
                IF v_iat !~ '^[0-9]{1,12}(\.[0-9]+)?$' THEN
                    PERFORM core.raise('IDENTITY_CLAIMS_INVALID', '"iat" is not a NumericDate');
                END IF;
                IF to_timestamp(v_iat::double precision) < date_trunc('second', v_valid_after) THEN
                    PERFORM core.raise('IDENTITY_TOKEN_REVOKED', 'issued before the user''s tokens_valid_after');
                END IF;
            END IF;
            v_sid := v_claims ->> 'sid';
            IF v_sid IS NOT NULL AND (v_sid !~ '^[0-9]{1,18}$' OR NOT EXISTS (
                    SELECT 1 FROM identity.session s
                     WHERE s.id = v_sid::bigint AND s.user_id = v_actor.user_id
                       AND (s.status = 'ACTIVE' OR s.ended_at >= now()))) THEN
                PERFORM core.raise('IDENTITY_TOKEN_REVOKED', 'the session of this token has ended');
            END IF;
        END IF;
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION identity.current_actor() IS
'Who is calling: the one function every other function asks.
Reads request.jwt.claims ("sub" = identity.user_account.auth_subject, "role" = database role) and
returns the matching user (user_id NULL when the subject is missing or unknown). Never raises for an
anonymous caller; use identity.require_user() to insist on one. Refuses a revoked token with IDENTITY_TOKEN_REVOKED
(401): "iat" before the user''s tokens_valid_after (compared in whole seconds), or "sid" naming a session that ended in
an earlier transaction; a malformed "iat" is IDENTITY_CLAIMS_INVALID.';

COMMIT;
