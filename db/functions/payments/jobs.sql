-- Deploy mercato:functions/payments/jobs to pg
-- The payments module's periodic duties (docs/jobs.md): instructions without answer are queried (never re-sent), and
-- stale funding sessions expire.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('payments.sweep_rail_instructions', '* * * * *', 'payments.sweep_rail_instructions(integer)',
    'Payments: a status query for every rail instruction without a final answer after its rail''s '
    'answer_timeout_seconds, before anything else (payments.sweep_rail_instructions); a timed-out payout is never paid twice.');
SELECT jobs.register('payments.expire_funding_sessions', '* * * * *', 'payments.expire_funding_sessions(integer)',
    'Payments: PENDING funding sessions past their expiry become EXPIRED (payments.expire_funding_sessions).');

COMMIT;
