-- Verify mercato:functions/identity/permission_check on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
             WHERE p.oid = 'identity.has_permission(bigint, text, bigint)'::regprocedure AND l.lanname = 'plpgsql'
               AND p.prosecdef)::int;

ROLLBACK;
