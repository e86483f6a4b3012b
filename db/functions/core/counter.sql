-- Deploy mercato:functions/core/counter to pg
-- core.next_number: the next gapless number of a counter (schemas/core/counter), one upsert that takes the row lock.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION core.next_number(p_scope text, p_key text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v bigint;
BEGIN
    IF p_scope IS NULL OR p_scope !~ '^[a-z][a-z0-9_]{0,30}\.[a-z][a-z0-9_]{0,30}$' THEN
        PERFORM core.raise('CORE_COUNTER_INVALID', 'scope must be module.entity in lower snake case');
    ELSIF p_key IS NULL OR length(p_key) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('CORE_COUNTER_INVALID', 'key must be 1-200 characters');
    END IF;
    INSERT INTO core.counter AS c (scope, key, last_value) VALUES (p_scope, p_key, 1)
    ON CONFLICT ON CONSTRAINT counter_pkey DO UPDATE SET last_value = c.last_value + 1, updated_at = now()
    RETURNING c.last_value INTO v;
    RETURN v;
END
$$;
COMMENT ON FUNCTION core.next_number(text, text) IS
'The next number (1, 2, 3, …) of the counter (scope, key), e.g. (''orders.order'', tenant id): an upsert that holds the
counter row''s lock until the caller''s transaction ends, so numbers are gapless (a rollback returns its number) and
concurrent callers of one key queue while other keys do not. Internal: for modules, granted to no API role.
Errors: CORE_COUNTER_INVALID.';
REVOKE ALL ON FUNCTION core.next_number(text, text) FROM PUBLIC;

COMMIT;
