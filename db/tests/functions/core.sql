-- Tests for functions/core: core.raise and core.http_status.
BEGIN;
SELECT plan(14);

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
SELECT throws_ok($$SELECT core.raise('CORE_INVALID_ARGUMENT')$$, 'PT400', NULL, 'any role may raise catalogued errors');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
