-- Tests for functions/outbox/jobs: both jobs registered; reclaim and retention run through jobs.run.
BEGIN;
SELECT plan(7);

SELECT is((SELECT count(*)::int FROM jobs.job WHERE name = 'outbox.reclaim_expired' AND enabled), 1,
          'outbox.reclaim_expired is registered and enabled');
SELECT is((SELECT count(*)::int FROM jobs.job WHERE name = 'outbox.retention' AND enabled), 1,
          'outbox.retention is registered (it keeps everything until OUTBOX_RETENTION_DAYS is set)');

-- a message claimed by a sender that died: its lease expired a minute ago
SELECT tests.put('m', outbox.enqueue('SMS', '+251900000001', 'otp', '{}', '{"code": "123456"}'));
UPDATE outbox.message SET state = 'SENDING', attempts = 1, lease_token = gen_random_uuid(), lease_worker = 'dead-worker',
                          lease_until = now() - interval '1 minute'
 WHERE id = tests.id('m');
SELECT is((jobs.run('outbox.reclaim_expired')).outcome, 'OK', 'the reclaim job runs');
SELECT is((SELECT state || ' ' || (last_error LIKE 'lease of dead-worker expired%')::text FROM outbox.message
            WHERE id = tests.id('m')), 'FAILED true', 'the expired message is FAILED, due again, the error says why');

-- retention: a message sent 40 days ago goes with a 30-day horizon, not by default
UPDATE outbox.message SET state = 'SENDING', lease_until = now() + interval '1 minute' WHERE id = tests.id('m');
UPDATE outbox.message SET state = 'SENT', sent_at = now() - interval '40 days', lease_until = NULL WHERE id = tests.id('m');
SELECT is((jobs.run('outbox.retention')).outcome, 'OK', 'the retention job runs and, by default, keeps everything');
SELECT is(outbox.purge_sent(30), 1, 'with 30 days kept, the message sent 40 days ago is deleted');
SELECT is((SELECT count(*)::int FROM outbox.message WHERE id = tests.id('m')), 0, 'it is gone');

SELECT * FROM finish();
ROLLBACK;
