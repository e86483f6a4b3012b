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
-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

CREATE FUNCTION core.wrap(p_wrapper regprocedure, p_target regprocedure, p_who text, VARIADIC p_roles name[])
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_comment text := obj_description(p_target, 'pg_proc');
    v_role    name;
BEGIN
    IF v_comment IS NULL THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', format('%s, wrapped by %s, has no comment', p_target, p_wrapper));
    END IF;
    EXECUTE format('COMMENT ON FUNCTION %s IS %L', p_wrapper,
                   split_part(v_comment, E'\n', 1) || E'\n' || p_who || ' '
                   || substr(v_comment, length(split_part(v_comment, E'\n', 1)) + 2));
    FOREACH v_role IN ARRAY p_roles LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', p_wrapper, v_role);
    END LOOP;
END
$$;
COMMENT ON FUNCTION core.wrap(regprocedure, regprocedure, text, name[]) IS
'Deploy-time helper, called right after an api wrapper''s definition: the wrapper carries the comment of the function it
wraps (first line, then p_who — who may call it — then the rest) and is granted to p_roles. One source for the docs
(docs/api.md is generated from these comments), no drift. Executable by no API role.';

CREATE FUNCTION core.refuse_change_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- TG_ARGV[0] is the catalogued code; a trigger created without one raises CORE_UNKNOWN_ERROR_CODE (core.raise).
    PERFORM core.raise(TG_ARGV[0], format('%s on %s.%s%s', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                                          CASE WHEN TG_LEVEL = 'ROW' AND TG_OP IN ('UPDATE', 'DELETE')
                                               THEN coalesce(' row ' || (to_jsonb(OLD) ->> 'id'), '') ELSE '' END));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION core.refuse_change_trg() IS
'Trigger: refuse the UPDATE, DELETE or TRUNCATE it guards with the error code given as its one argument, whoever
writes (the owner included): CREATE TRIGGER … EXECUTE FUNCTION core.refuse_change_trg(''LEDGER_IMMUTABLE''). The one
guard of every append-only or write-once table; a module that allows some change writes its own trigger.';

-- Input bounds (CONVENTIONS.md, Input bounds). Every text, jsonb, array, date and timestamptz parameter of an api
-- function has one of the domains below as its type, so PostgreSQL checks the value while converting the argument
-- (PostgREST's json_to_record, a psycopg parameter), before the function body runs. Each domain's CHECK calls a small
-- IMMUTABLE function that refuses through core.raise, so the caller sees a catalogued PTxyz code, never 23514. The
-- domains live here, not in schemas/core, because their CHECKs call core.raise.
-- PostgreSQL checks EXECUTE on a domain CHECK's function as the role converting the value (the API role), so these
-- checks are granted to the API roles; they are SECURITY DEFINER so that they reach core.raise, which no API role holds.

CREATE FUNCTION core.check_text_size(p_value text, p_max integer, p_type text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- octet_length is O(1) and a character is 1-4 bytes: only a value between p_max and 4 * p_max bytes is counted.
    IF octet_length(p_value) > p_max THEN
        IF octet_length(p_value) > 4 * p_max OR length(p_value) > p_max THEN
            PERFORM core.raise('CORE_INPUT_TOO_LARGE', format('%s: %s characters, at most %s', p_type, length(p_value), p_max));
        END IF;
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION core.check_text_size(text, integer, text) IS
'Domain check: true when p_value (text) has at most p_max characters or is NULL; else CORE_INPUT_TOO_LARGE (413).
Called by the CHECK of core.name_text, core.url_text and core.long_text; p_type names the domain in the detail.
Executable by the API roles because PostgreSQL checks EXECUTE on a domain CHECK as the converting role.';

CREATE FUNCTION core.check_text_list(p_value text[], p_max_elements integer, p_max_chars integer, p_type text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_longest integer;
BEGIN
    IF cardinality(p_value) > p_max_elements THEN
        PERFORM core.raise('CORE_INPUT_TOO_LARGE', format('%s: %s elements, at most %s', p_type, cardinality(p_value),
                                                          p_max_elements));
    END IF;
    SELECT max(length(e)) INTO v_longest FROM unnest(p_value) e;
    IF v_longest > p_max_chars THEN
        PERFORM core.raise('CORE_INPUT_TOO_LARGE', format('%s: an element of %s characters, at most %s', p_type, v_longest,
                                                          p_max_chars));
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION core.check_text_list(text[], integer, integer, text) IS
'Domain check: true when p_value (text[]) has at most p_max_elements elements of at most p_max_chars characters each,
or is NULL; else CORE_INPUT_TOO_LARGE (413). Called by the CHECK of core.text_list. Executable by the API roles (a
domain CHECK runs as the converting role).';

CREATE FUNCTION core.check_json_size(p_value jsonb, p_max integer, p_type text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_size bigint := octet_length(p_value::text);
BEGIN
    IF v_size > p_max THEN
        PERFORM core.raise('CORE_INPUT_TOO_LARGE', format('%s: %s bytes of JSON text, at most %s', p_type, v_size, p_max));
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION core.check_json_size(jsonb, integer, text) IS
'Domain check: true when p_value (jsonb) written as JSON text (jsonb::text, UTF-8) is at most p_max bytes, or is NULL;
else CORE_INPUT_TOO_LARGE (413). Called by the CHECK of core.json_doc and core.json_batch. Executable by the API roles
(a domain CHECK runs as the converting role).';

CREATE FUNCTION core.check_finite_date(p_value date, p_type text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- -infinity sorts before and infinity after every finite date.
    IF p_value < '0001-01-01'::date OR p_value > '9999-12-31'::date THEN
        PERFORM core.raise('CORE_DATE_OUT_OF_RANGE', format('%s: %s is not a date from 0001-01-01 to 9999-12-31', p_type, p_value));
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION core.check_finite_date(date, text) IS
'Domain check: true when p_value is a date from 0001-01-01 to 9999-12-31 or NULL; infinity, -infinity and anything
outside give CORE_DATE_OUT_OF_RANGE (400). Called by the CHECK of core.finite_date. Executable by the API roles (a
domain CHECK runs as the converting role).';

CREATE FUNCTION core.check_finite_timestamptz(p_value timestamptz, p_type text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value < '0001-01-01 00:00:00+00'::timestamptz OR p_value >= '10000-01-01 00:00:00+00'::timestamptz THEN
        PERFORM core.raise('CORE_DATE_OUT_OF_RANGE',
                           format('%s: %s is not an instant from 0001-01-01 to 9999-12-31 (UTC)', p_type, p_value));
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION core.check_finite_timestamptz(timestamptz, text) IS
'Domain check: true when p_value is an instant from 0001-01-01 00:00 to 9999-12-31 24:00 UTC (exclusive) or NULL;
infinity, -infinity and anything outside give CORE_DATE_OUT_OF_RANGE (400). Called by the CHECK of
core.finite_timestamptz. Executable by the API roles (a domain CHECK runs as the converting role).';

GRANT EXECUTE ON FUNCTION core.check_text_size(text, integer, text), core.check_text_list(text[], integer, integer, text),
    core.check_json_size(jsonb, integer, text), core.check_finite_date(date, text),
    core.check_finite_timestamptz(timestamptz, text)
    TO mercato_anon, mercato_user, mercato_service;

CREATE DOMAIN core.name_text AS text CONSTRAINT name_text_check CHECK (core.check_text_size(VALUE, 256, 'core.name_text'));
COMMENT ON DOMAIN core.name_text IS
'Text of at most 256 characters: names, titles, codes, statuses, references, subjects, e-mail addresses, phone numbers.
A longer value is refused with CORE_INPUT_TOO_LARGE (413) before the function runs; NULL passes (the function decides).';

CREATE DOMAIN core.url_text AS text CONSTRAINT url_text_check CHECK (core.check_text_size(VALUE, 2048, 'core.url_text'));
COMMENT ON DOMAIN core.url_text IS
'Text of at most 2,048 characters: URLs. A longer value is refused with CORE_INPUT_TOO_LARGE (413) before the function
runs; NULL passes (the function decides).';

CREATE DOMAIN core.long_text AS text CONSTRAINT long_text_check CHECK (core.check_text_size(VALUE, 10000, 'core.long_text'));
COMMENT ON DOMAIN core.long_text IS
'Text of at most 10,000 characters: descriptions, memos, notes, reasons, setting values. A longer value is refused with
CORE_INPUT_TOO_LARGE (413) before the function runs; NULL passes (the function decides).';

CREATE DOMAIN core.text_list AS text[]
    CONSTRAINT text_list_check CHECK (core.check_text_list(VALUE, 100, 256, 'core.text_list'));
COMMENT ON DOMAIN core.text_list IS
'A text array of at most 100 elements of at most 256 characters each: tags. A larger value is refused with
CORE_INPUT_TOO_LARGE (413) before the function runs; NULL passes (the function decides).';

CREATE DOMAIN core.json_doc AS jsonb CONSTRAINT json_doc_check CHECK (core.check_json_size(VALUE, 65536, 'core.json_doc'));
COMMENT ON DOMAIN core.json_doc IS
'A JSON document of at most 65,536 bytes of JSON text (64 KiB, as jsonb::text writes it): metadata, images, handover
records, policy bodies, lines, legs, destinations, awards. A larger value is refused with CORE_INPUT_TOO_LARGE (413)
before the function runs; NULL passes (the function decides).';

CREATE DOMAIN core.json_batch AS jsonb
    CONSTRAINT json_batch_check CHECK (core.check_json_size(VALUE, 8388608, 'core.json_batch'));
COMMENT ON DOMAIN core.json_batch IS
'A JSON document of at most 8,388,608 bytes of JSON text (8 MiB, as jsonb::text writes it): the back office''s batches
(api.post_batch: up to 10,000 transfers). A larger value is refused with CORE_INPUT_TOO_LARGE (413) before the
function runs; NULL passes (the function decides).';

CREATE DOMAIN core.finite_date AS date CONSTRAINT finite_date_check CHECK (core.check_finite_date(VALUE, 'core.finite_date'));
COMMENT ON DOMAIN core.finite_date IS
'A date from 0001-01-01 to 9999-12-31: never infinity or -infinity, and always convertible to a timestamptz and back.
Anything else is refused with CORE_DATE_OUT_OF_RANGE (400) before the function runs; NULL passes (the function
decides, e.g. NULL for an open bound).';

CREATE DOMAIN core.finite_timestamptz AS timestamptz
    CONSTRAINT finite_timestamptz_check CHECK (core.check_finite_timestamptz(VALUE, 'core.finite_timestamptz'));
COMMENT ON DOMAIN core.finite_timestamptz IS
'An instant from 0001-01-01 00:00 to 9999-12-31 24:00 UTC (exclusive): never infinity or -infinity. Anything else is
refused with CORE_DATE_OUT_OF_RANGE (400) before the function runs; NULL passes (the function decides, e.g. NULL for an
open bound).';

COMMIT;
