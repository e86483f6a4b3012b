-- Verify mercato:functions/identity on pg

BEGIN;

SELECT (identity.current_actor()).user_id;
SELECT pg_catalog.has_function_privilege('identity.require_permission(text, bigint)', 'execute');
SELECT pg_catalog.has_function_privilege('identity.register_user(text, text, text, bigint, text, text)', 'execute');

ROLLBACK;
