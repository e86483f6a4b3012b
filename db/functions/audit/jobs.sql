-- Deploy mercato:functions/audit/jobs to pg
-- The audit log's periodic duty, registered with the jobs kernel: monthly partitions created ahead.

BEGIN;

SELECT jobs.register('audit.partitions_ahead', '17 3 * * *', 'audit.ensure_partitions(timestamptz, integer)',
    'Create the audit.event partitions of this month and the next three ahead (audit.ensure_partitions with its '
    'defaults), so that no audit insert waits on DDL at a month boundary. Idempotent.');

COMMIT;
