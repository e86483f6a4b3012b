-- Deploy mercato:functions/delivery/codes to pg
-- One-time codes: drawn, stored as keyed hashes, issued (superseding the previous one), swept when expired.
--
-- Codes: 6 digits drawn uniformly (rejection sampling) from pgcrypto's gen_random_bytes; stored only as
-- HMAC-SHA256(key, session id || ':' || code) with a key in delivery.otp_key, which no application role can read.

BEGIN;

CREATE FUNCTION delivery.new_code()
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n bigint;
BEGIN
    -- Uniform over 000000..999999: 32 random bits, rejecting the top sliver that would bias the modulo.
    LOOP
        v_n := ('x' || encode(public.gen_random_bytes(4), 'hex'))::bit(32)::bigint & 4294967295;
        EXIT WHEN v_n < 4294000000;
    END LOOP;
    RETURN lpad((v_n % 1000000)::text, 6, '0');
END
$$;
COMMENT ON FUNCTION delivery.new_code() IS
'A fresh 6-digit code from a cryptographic source (pgcrypto gen_random_bytes), uniform by rejection sampling.';

CREATE FUNCTION delivery.code_hmac(p_key_id integer, p_session_id bigint, p_code text)
RETURNS bytea
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL rather than SQL: the query plan is cached (a SQL function with a SET clause is planned on every call).
    RETURN (SELECT public.hmac(convert_to(p_session_id || ':' || p_code, 'UTF8'), k.secret, 'sha256')
              FROM delivery.otp_key k WHERE k.id = p_key_id);
END
$$;
COMMENT ON FUNCTION delivery.code_hmac(integer, bigint, text) IS
'HMAC-SHA256 of "<session id>:<code>" under one of the OTP keys. Internal: granted to no application role.';

CREATE FUNCTION delivery.issue_code(p_session_id bigint, p_channel text, OUT o_code text, OUT o_expires_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key integer;
BEGIN
    SELECT k.id INTO v_key FROM delivery.otp_key k WHERE k.retired_at IS NULL;
    UPDATE delivery.otp SET status = 'SUPERSEDED' WHERE session_id = p_session_id AND status = 'ACTIVE';
    o_code := delivery.new_code();
    o_expires_at := clock_timestamp() + make_interval(mins => masterdata.setting_number('OTP_EXPIRY_MINUTES')::integer);
    INSERT INTO delivery.otp (session_id, code_hmac, key_id, channel, max_attempts, expires_at, created_at)
    VALUES (p_session_id, delivery.code_hmac(v_key, p_session_id, o_code), v_key, p_channel,
            masterdata.setting_number('OTP_MAX_ATTEMPTS')::integer, o_expires_at, clock_timestamp());
    UPDATE delivery.session SET codes_issued = codes_issued + 1, last_issued_at = clock_timestamp() WHERE id = p_session_id;
END
$$;
COMMENT ON FUNCTION delivery.issue_code(bigint, text) IS
'Internal: supersede the session''s active code and store a new one (only its keyed hash), valid OTP_EXPIRY_MINUTES
with OTP_MAX_ATTEMPTS tries; returns the code in clear — the only time it exists outside the caller.';

CREATE FUNCTION delivery.expire_codes()
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n integer;
BEGIN
    PERFORM parties.require_admin();
    UPDATE delivery.otp SET status = 'EXPIRED' WHERE status = 'ACTIVE' AND expires_at <= clock_timestamp();
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION delivery.expire_codes() IS
'Sweep: mark every active code past its expiry EXPIRED (verification already refuses them; this keeps the table
tidy). Returns how many. Caller: the service role or an admin. Error: IDENTITY_PERMISSION_DENIED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
