-- Deploy mercato:functions/ledger/jobs to pg
-- The ledger's periodic duty, registered with the jobs kernel: the hold expiry sweep.

BEGIN;

SELECT jobs.register('ledger.expire_holds', '*/5 * * * *', 'ledger.expire_holds(integer)',
    'Hold expiry sweep: resolve open escrow holds past their expires_at as EXPIRED and make their funds available '
    'again (ledger.expire_holds, at most 1,000 a run; SKIP LOCKED, safe next to captures and releases).');

COMMIT;
