-- Deploy mercato:functions/outbox/jobs to pg
-- The outbox's periodic duties: expired leases reclaimed every minute, and the retention of SENT messages (off by
-- default, like audit retention: OUTBOX_RETENTION_DAYS = 0 keeps everything).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('outbox.reclaim_expired', '* * * * *', 'outbox.reclaim_expired(integer)',
    'Outbox: messages left SENDING past their lease become FAILED (due at once) or DEAD after OUTBOX_MAX_ATTEMPTS '
    '(outbox.reclaim_expired).');
SELECT jobs.register('outbox.retention', '37 3 * * *', 'outbox.purge_sent(integer)',
    'Outbox retention: delete SENT messages older than OUTBOX_RETENTION_DAYS (0, the default, keeps everything). '
    'outbox.purge_sent.');

COMMIT;
