-- Verify mercato:schemas/core on pg

BEGIN;

SELECT pg_catalog.has_schema_privilege('core', 'usage');
SELECT code, module, sqlstate, message, hint, description FROM core.error WHERE false;
SELECT table_schema, table_name, column_name, kind, reason FROM core.secret WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_event_trigger
 WHERE evtname = 'mercato_revoke_public_execute' AND evtenabled <> 'D';
SELECT 1 / count(*) FROM pg_catalog.pg_roles
 WHERE rolname IN ('mercato_anon', 'mercato_user', 'mercato_service', 'mercato_authenticator')
HAVING count(*) = 4;
SELECT 1 / count(*) FROM pg_catalog.pg_extension WHERE extname IN ('pgcrypto', 'btree_gist') HAVING count(*) = 2;

ROLLBACK;
