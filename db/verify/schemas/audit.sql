-- Verify mercato:schemas/audit on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, occurred_at, tx_id, actor_subject, actor_user_id, db_role, module, entity_type, entity_id,
       action, old_values, new_values
  FROM audit.event WHERE false;
SELECT 'audit.event_entity_idx'::regclass, 'audit.event_actor_idx'::regclass;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'audit', 'USAGE')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- the back office reads the trail, no other API role does; nobody but its owner changes it
SELECT 1 / (pg_catalog.has_table_privilege('mercato_service', 'audit.event', 'SELECT')
            AND NOT pg_catalog.has_any_column_privilege('mercato_user', 'audit.event', 'SELECT')
            AND NOT pg_catalog.has_any_column_privilege('mercato_anon', 'audit.event', 'SELECT'))::int;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, 'audit.event', 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
