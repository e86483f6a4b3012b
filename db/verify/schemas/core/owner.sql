-- Verify mercato:schemas/core/owner on pg
-- Fails when the role is missing or can log in, when PUBLIC may create in schema public, when mercato_owner's default
-- privileges would let PUBLIC execute its functions, when any object of a Mercato schema has another owner, or when an
-- API role may execute core.misowned_objects().

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_roles
             WHERE rolname = 'mercato_owner' AND NOT rolcanlogin AND NOT rolsuper)::int;

SELECT 1 / (NOT has_schema_privilege('public', 'public', 'CREATE'))::int;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_default_acl a
             WHERE a.defaclrole = 'mercato_owner'::regrole AND a.defaclnamespace = 0 AND a.defaclobjtype = 'f'
               AND NOT EXISTS (SELECT FROM aclexplode(a.defaclacl) x WHERE x.grantee = 0))::int;

SELECT 1 / (count(*) = 0)::int FROM core.misowned_objects();

-- core.misowned_objects() is for the owner and the tests, never for an API role
SELECT 1 / (NOT has_function_privilege(r, 'core.misowned_objects()', 'EXECUTE'))::int
  FROM unnest(ARRAY['public', 'mercato_anon', 'mercato_user', 'mercato_service']) r;

ROLLBACK;
