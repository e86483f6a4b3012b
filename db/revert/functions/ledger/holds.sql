-- Revert mercato:functions/ledger/holds from pg

BEGIN;

DROP FUNCTION ledger.expire_holds(integer);
DROP FUNCTION ledger.release_hold(text, bigint);
DROP FUNCTION ledger.capture_hold(text, bigint, jsonb, text);
DROP FUNCTION ledger.create_hold(text, bigint, numeric, timestamptz, text);

COMMIT;
