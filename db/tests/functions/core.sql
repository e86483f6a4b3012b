-- Tests for functions/core: core.raise and core.http_status.
BEGIN;
SELECT plan(27);

SELECT volatility_is('core', 'raise', ARRAY['text', 'text', 'text'], 'stable', 'core.raise is STABLE');
SELECT volatility_is('core', 'http_status', ARRAY['text'], 'immutable', 'core.http_status is IMMUTABLE');
SELECT is(core.http_status('PT402'), 402, 'PTxyz maps to xyz');
SELECT is(core.http_status('23505'), 409, 'unique violation maps to 409');
SELECT is(core.http_status('42883'), 404, 'undefined function maps to 404');
SELECT is(core.http_status('42501'), 403, 'insufficient privilege maps to 403');
SELECT is(core.http_status('P0001'), 400, 'bare RAISE maps to 400');
SELECT is(core.http_status('40001'), 500, 'serialization failure maps to 500');
SELECT is(core.http_status('22P02'), 400, 'bad input maps to 400');
SELECT throws_ok($$SELECT core.raise('CORE_INVALID_ARGUMENT', 'p_x is NULL')$$, 'PT400',
                 'CORE_INVALID_ARGUMENT: an argument is missing or malformed', 'core.raise uses the catalogue');
SELECT throws_ok($$SELECT core.raise('NO_SUCH_CODE')$$, 'PT500', NULL, 'unknown codes are an internal error');
SELECT throws_like($$SELECT core.raise('NO_SUCH_CODE')$$, 'CORE_UNKNOWN_ERROR_CODE:%', 'and say so');
-- the detail reaches the client
CREATE FUNCTION pg_temp.detail_of(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END $$;
SELECT is(pg_temp.detail_of($$SELECT core.raise('CORE_INVALID_ARGUMENT', 'p_x is NULL')$$), 'p_x is NULL',
          'DETAIL carries the specifics');
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT core.raise('CORE_INVALID_ARGUMENT')$$, '42501', NULL, 'no API role executes core.raise itself');
RESET ROLE;
-- Input domains (CONVENTIONS.md, Input bounds): checked while an API role converts the value (core.raise is not
-- granted to it here), refused with a catalogued code.
SELECT volatility_is('core', 'check_text_size', ARRAY['text', 'integer', 'text'], 'immutable', 'domain checks are IMMUTABLE');
SET LOCAL ROLE mercato_anon;
SELECT lives_ok($$SELECT repeat('é', 256)::core.name_text, NULL::core.json_doc, '9999-12-31'::core.finite_date,
                         array_fill('x'::text, ARRAY[100])::core.text_list$$,
                'values within bounds (and NULL) pass, as an API role');
SELECT throws_ok($$SELECT repeat('x', 257)::core.name_text$$, 'PT413',
                 'CORE_INPUT_TOO_LARGE: an input is larger than its documented maximum', 'text past its maximum: 413');
SELECT throws_ok($$SELECT jsonb_build_object('k', repeat('x', 65536))::core.json_doc$$, 'PT413', NULL,
                 'a JSON document past 64 KiB');
SELECT throws_ok($$SELECT array_fill('x'::text, ARRAY[101])::core.text_list$$, 'PT413', NULL, 'a list past 100 elements');
SELECT throws_ok($$SELECT 'infinity'::core.finite_date$$, 'PT400',
                 'CORE_DATE_OUT_OF_RANGE: a date or instant is infinite or outside the years 1 to 9999', 'infinity is not a date');
SELECT throws_ok($$SELECT '-infinity'::core.finite_timestamptz$$, 'PT400', NULL, '-infinity is not an instant');
SELECT throws_ok($$SELECT '10000-01-01'::core.finite_date$$, 'PT400', NULL, 'nor a year past 9999');
RESET ROLE;

-- core.raise is internal (API roles reach it through SECURITY DEFINER functions); granted in this rolled-back
-- transaction only, to unit-test it as an API role.
GRANT EXECUTE ON FUNCTION core.raise(text, text, text) TO mercato_anon;
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT core.raise('CORE_INVALID_ARGUMENT')$$, 'PT400', NULL, 'any role may raise catalogued errors');
RESET ROLE;

-- core.refuse_change_trg: the one guard of write-once rows, with the code its trigger names
CREATE TEMP TABLE t_guard (id integer);
CREATE TRIGGER t_guard_immutable BEFORE UPDATE OR DELETE ON t_guard
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('SETTLEMENT_IMMUTABLE');
CREATE TRIGGER t_guard_no_truncate BEFORE TRUNCATE ON t_guard
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
INSERT INTO t_guard VALUES (7);
SELECT throws_like($$UPDATE t_guard SET id = 8$$, 'SETTLEMENT_IMMUTABLE:%', 'refuse_change_trg refuses an UPDATE with its code');
SELECT throws_like($$TRUNCATE t_guard$$, 'LEDGER_IMMUTABLE:%', 'and a TRUNCATE, statement-level, with another');
CREATE TEMP TABLE t_unguarded (id integer);
CREATE TRIGGER t_unguarded_immutable BEFORE DELETE ON t_unguarded FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg();
INSERT INTO t_unguarded VALUES (1);
SELECT throws_like($$DELETE FROM t_unguarded$$, 'CORE_UNKNOWN_ERROR_CODE:%', 'a guard created without a code is a bug, said so');
SELECT is((SELECT count(*)::int FROM t_guard WHERE id = 7), 1, 'and the row is unchanged');

SELECT * FROM finish();
ROLLBACK;
