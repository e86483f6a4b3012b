-- Deploy mercato:functions/payments/idempotency to pg
-- Idempotency keys (docs/payments.md): a reusable pair around any operation of a caller.
--   v_replay := payments.idempotency_begin('<operation>', p_key, <request jsonb>, <organization or NULL>);
--   IF v_replay IS NOT NULL THEN RETURN v_replay; END IF;   -- the same request again: the stored response
--   ... the operation, its ledger postings ...
--   PERFORM payments.idempotency_finish('<operation>', p_key, <response jsonb>, <organization or NULL>);
-- Both run in the operation's transaction, so the key row commits with the postings or not at all. Concurrent calls
-- with one key: the first takes a transaction-scoped advisory try-lock on the (scope, key) and inserts the row; a
-- second finds the lock taken and is refused at once with PAYMENTS_IDEMPOTENCY_IN_PROGRESS (409, retryable), never
-- blocking on the first's uncommitted row; once the first commits, a retry gets its stored response.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.idempotency_scope(p_organization_id bigint, OUT scope_type text, OUT scope_id bigint)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF p_organization_id IS NOT NULL THEN
        scope_type := 'ORG';
        scope_id := p_organization_id;
    ELSIF identity.is_service() THEN
        scope_type := 'SERVICE';
        scope_id := 0;
    ELSE
        v_actor := identity.require_user();
        scope_type := 'USER';
        scope_id := v_actor.user_id;
    END IF;
END
$$;
COMMENT ON FUNCTION payments.idempotency_scope(bigint) IS
'Whose idempotency keys a call uses: the organization it acts for (p_organization_id, checked by the caller), else the
back office (SERVICE, 0), else the signed-in user. Internal. Errors: IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION payments.idempotency_fingerprint(p_operation text, p_request jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN encode(sha256(convert_to(jsonb_build_object('operation', p_operation, 'request', p_request)::text, 'UTF8')), 'hex');
COMMENT ON FUNCTION payments.idempotency_fingerprint(text, jsonb) IS
'The fingerprint of a request: SHA-256 (hex) of the canonical JSON (jsonb''s text: keys sorted, no insignificant
whitespace) of the operation and its parameters. Callers pass amounts as trimmed text so that 10.0 and 10.00 agree.';

CREATE OR REPLACE FUNCTION payments.idempotency_begin(p_operation text, p_key text, p_request jsonb,
                                                      p_organization_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_scope  record;
    v_fp     text;
    v_row    payments.idempotency_key;
    v_id     bigint;
BEGIN
    IF p_key IS NULL THEN
        RETURN NULL;   -- no key: the operation is not idempotent by key
    ELSIF p_key !~ '^[ -~]{1,255}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'idempotency_key must be 1-255 printable ASCII characters');
    END IF;
    v_scope := payments.idempotency_scope(p_organization_id);
    v_fp := payments.idempotency_fingerprint(p_operation, p_request);
    IF NOT pg_try_advisory_xact_lock(hashtextextended(
            format('payments.idempotency|%s|%s|%s', v_scope.scope_type, v_scope.scope_id, p_key), 0)) THEN
        PERFORM core.raise('PAYMENTS_IDEMPOTENCY_IN_PROGRESS', format('key %s', p_key));
    END IF;
    INSERT INTO payments.idempotency_key (scope_type, scope_id, key, operation, fingerprint)
    VALUES (v_scope.scope_type, v_scope.scope_id, p_key, p_operation, v_fp)
    ON CONFLICT ON CONSTRAINT idempotency_key_scope_key DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NOT NULL THEN
        RETURN NULL;   -- taken: the caller runs the operation and calls idempotency_finish
    END IF;
    SELECT * INTO v_row FROM payments.idempotency_key
     WHERE scope_type = v_scope.scope_type AND scope_id = v_scope.scope_id AND key = p_key;
    IF v_row.fingerprint <> v_fp OR v_row.operation <> p_operation THEN
        PERFORM core.raise('PAYMENTS_IDEMPOTENCY_MISMATCH',
                           format('key %s was used on %s for another request', p_key, v_row.created_at));
    ELSIF v_row.status <> 'COMPLETED' THEN
        PERFORM core.raise('PAYMENTS_IDEMPOTENCY_IN_PROGRESS', format('key %s', p_key));
    END IF;
    RETURN v_row.response;
END
$$;
COMMENT ON FUNCTION payments.idempotency_begin(text, text, jsonb, bigint) IS
'Start an idempotent operation (internal; see the header of functions/payments/idempotency): NULL when the caller must
run it (no key given, or the key is now taken in this transaction), else the stored response of the same request made
before. The same key with another request (or operation) is PAYMENTS_IDEMPOTENCY_MISMATCH (422); a concurrent call with
the key is PAYMENTS_IDEMPOTENCY_IN_PROGRESS (409, retryable) without waiting. Errors: PAYMENTS_INVALID_INPUT,
IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION payments.idempotency_finish(p_operation text, p_key text, p_response jsonb,
                                                       p_organization_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_scope record;
BEGIN
    IF p_key IS NULL THEN
        RETURN p_response;
    END IF;
    v_scope := payments.idempotency_scope(p_organization_id);
    UPDATE payments.idempotency_key
       SET status = 'COMPLETED', response = coalesce(p_response, 'null'::jsonb), completed_at = now()
     WHERE scope_type = v_scope.scope_type AND scope_id = v_scope.scope_id AND key = p_key
       AND operation = p_operation AND status = 'IN_PROGRESS';
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('idempotency key %s was not begun for %s', p_key, p_operation));
    END IF;
    RETURN p_response;
END
$$;
COMMENT ON FUNCTION payments.idempotency_finish(text, text, jsonb, bigint) IS
'Complete an idempotent operation begun by payments.idempotency_begin in this transaction: store its response (returned
unchanged) with the key. Internal. Errors: PAYMENTS_INVALID_INPUT (the key was not begun).';

CREATE OR REPLACE FUNCTION payments.purge_idempotency_keys(p_limit integer DEFAULT 10000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n integer;
BEGIN
    DELETE FROM payments.idempotency_key
     WHERE id IN (SELECT id FROM payments.idempotency_key WHERE expires_at < now()
                   ORDER BY expires_at LIMIT greatest(coalesce(p_limit, 10000), 1)
                   FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION payments.purge_idempotency_keys(integer) IS
'Retention of idempotency keys: delete at most p_limit keys past their expires_at (at least 30 days after creation);
returns how many. The job payments.idempotency_retention calls it daily. Internal.';

REVOKE ALL ON FUNCTION payments.idempotency_scope(bigint), payments.idempotency_fingerprint(text, jsonb),
    payments.idempotency_begin(text, text, jsonb, bigint), payments.idempotency_finish(text, text, jsonb, bigint),
    payments.purge_idempotency_keys(integer) FROM PUBLIC;

COMMIT;
