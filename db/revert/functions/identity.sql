-- Revert mercato:functions/identity from pg
-- Puts back identity.current_actor() as released in @v0.1.0 (db/functions/identity@v0.1.0.sql): no token checks.

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
    v_claims jsonb := identity.claims();
    v_actor  identity.actor;
BEGIN
    v_actor.claims := v_claims;
    v_actor.subject := nullif(v_claims ->> 'sub', '');
    v_actor.role := v_claims ->> 'role';
    IF v_actor.subject IS NOT NULL THEN
        SELECT u.id, u.user_type, u.tenant_id, u.status
          INTO v_actor.user_id, v_actor.user_type, v_actor.tenant_id, v_actor.status
          FROM identity.user_account u
         WHERE u.auth_subject = v_actor.subject;
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION identity.current_actor() IS
'Who is calling: the one function every other function asks.
Reads request.jwt.claims ("sub" = identity.user_account.auth_subject, "role" = database role) and
returns the matching user (user_id NULL when the subject is missing or unknown). Never raises for an
anonymous caller; use identity.require_user() to insist on one.';

COMMIT;
