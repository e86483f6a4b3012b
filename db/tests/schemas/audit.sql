-- Tests for schemas/audit: the append-only, partitioned event log.
BEGIN;
SELECT plan(10);

SELECT has_schema('audit');
SELECT has_table('audit', 'event', 'audit.event exists');
SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'audit.event'::regclass), 'p', 'audit.event is partitioned');
SELECT ok((SELECT count(*) >= 4 FROM pg_inherits WHERE inhparent = 'audit.event'::regclass),
          'partitions exist for this month and the next three');
SELECT table_privs_are('audit', 'event', 'mercato_user', ARRAY[]::text[], 'mercato_user has no privilege on audit.event');
SELECT table_privs_are('audit', 'event', 'mercato_service', ARRAY['SELECT'], 'mercato_service may only read audit.event');
SET LOCAL ROLE mercato_service;
SELECT throws_ok($$UPDATE audit.event SET action = 'X'$$, '42501', NULL, 'service role cannot UPDATE the log');
SELECT throws_ok($$DELETE FROM audit.event$$, '42501', NULL, 'service role cannot DELETE from the log');
SELECT throws_ok($$TRUNCATE audit.event$$, '42501', NULL, 'service role cannot TRUNCATE the log');
SELECT throws_ok($$INSERT INTO audit.event (module, entity_type, action) VALUES ('x', 'x', 'X')$$, '42501', NULL,
                 'service role cannot write the log directly');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
