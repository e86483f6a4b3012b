-- Deploy mercato:functions/core to pg
-- core.raise (the only way Mercato refuses a request) and the SQLSTATE -> HTTP status mapping.

BEGIN;

CREATE FUNCTION core.http_status(p_sqlstate text)
RETURNS integer
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN p_sqlstate ~ '^PT[1-5][0-9][0-9]$' THEN substr(p_sqlstate, 3)::integer
    WHEN p_sqlstate IN ('23503', '23505') THEN 409
    WHEN p_sqlstate = '25006' THEN 405
    WHEN p_sqlstate IN ('42883', '42P01') THEN 404
    WHEN p_sqlstate = '42501' THEN 403          -- 401 when the caller is the anonymous role
    WHEN p_sqlstate = 'P0001' THEN 400
    WHEN left(p_sqlstate, 2) IN ('08', '53') THEN 503
    WHEN left(p_sqlstate, 2) IN ('0L', '0P', '28') THEN 403
    WHEN left(p_sqlstate, 2) IN ('09', '25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX')
        THEN 500
    ELSE 400
END;
COMMENT ON FUNCTION core.http_status(text) IS
'The HTTP status PostgREST answers for a SQLSTATE.
Follows PostgREST''s documented mapping: PTxyz gives xyz, 23503/23505 give 409, 42883/42P01 give 404,
42501 gives 403 (401 for the anonymous role), classes 08/53 give 503, server-side classes give 500,
everything else 400.';

CREATE FUNCTION core.raise(p_code text, p_detail text DEFAULT NULL, p_hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_error core.error;
    v_hint  text;
BEGIN
    SELECT * INTO v_error FROM core.error WHERE code = p_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'PT500',
            MESSAGE = 'CORE_UNKNOWN_ERROR_CODE: an error was raised with a code missing from the catalogue',
            DETAIL = format('code %s', p_code);
    END IF;
    v_hint := coalesce(p_hint, v_error.hint);
    -- RAISE ... USING refuses NULL options, and an empty DETAIL would reach clients as "".
    IF p_detail IS NOT NULL AND v_hint IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = v_error.sqlstate, MESSAGE = v_error.code || ': ' || v_error.message,
            DETAIL = p_detail, HINT = v_hint;
    ELSIF p_detail IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = v_error.sqlstate, MESSAGE = v_error.code || ': ' || v_error.message,
            DETAIL = p_detail;
    ELSIF v_hint IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = v_error.sqlstate, MESSAGE = v_error.code || ': ' || v_error.message,
            HINT = v_hint;
    ELSE
        RAISE EXCEPTION USING ERRCODE = v_error.sqlstate, MESSAGE = v_error.code || ': ' || v_error.message;
    END IF;
END
$$;
COMMENT ON FUNCTION core.raise(text, text, text) IS
'Refuse the current request with a catalogued error (never returns).
Looks the code up in core.error and raises SQLSTATE error.sqlstate with MESSAGE "<CODE>: <message>",
the given DETAIL, and the given HINT or the catalogue''s. Unknown codes raise CORE_UNKNOWN_ERROR_CODE (PT500).';
GRANT EXECUTE ON FUNCTION core.raise(text, text, text), core.http_status(text)
    TO mercato_anon, mercato_user, mercato_service;

COMMIT;
