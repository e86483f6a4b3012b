-- Verify mercato:schemas/ledger on pg

BEGIN;

SELECT id, owner_type, owner_id, purpose, currency, minor_units, allow_negative, overdraft_limit, receive_only,
       slots, status, balance, held, seq, metadata, created_at
  FROM ledger.account WHERE false;
SELECT account_id, slot, active, currency, minor_units, balance, seq FROM ledger.account_slot WHERE false;
SELECT id, reference, kind, request_hash, memo, metadata, reversal_of, reversed_by, posted_at FROM ledger.transaction WHERE false;
SELECT transaction_id, account_id, slot, seq, amount, balance_before, balance_after, posted_at FROM ledger.entry WHERE false;
SELECT id, reference, request_hash, account_id, amount, status, memo, expires_at, created_at, resolved_at,
       resolution_ref, captured_amount, transaction_id
  FROM ledger.hold WHERE false;
SELECT 1 / count(*) FROM core.error WHERE code = 'LEDGER_INSUFFICIENT_FUNDS';
SELECT 'ledger.reference'::regtype, 'ledger.account_status'::regtype, 'ledger.hold_status'::regtype;

ROLLBACK;
