-- Tests for schemas/audit/rls: the audit trail is for the back office only.
BEGIN;
SELECT plan(3);

SELECT audit.record('audit', 'test', 'ar-1', 'CREATED', NULL, '{}');
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$SELECT 1 FROM audit.event$$, '42501', NULL, 'users read no audit event');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT ok((SELECT count(*) FROM audit.event WHERE entity_id = 'ar-1') = 1, 'the back office reads the trail');
RESET ROLE;
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'audit.event'::regclass), 'row-level security is on');

SELECT * FROM finish();
ROLLBACK;
