-- Verify mercato:schemas/ledger on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero). The ledger's invariants are ledger.check()'s job (a full scan:
-- tests and `mercato ledger check`), never a verify script's.

BEGIN;

SELECT id, owner_type, owner_id, purpose, currency, minor_units, allow_negative, overdraft_limit, receive_only,
       slots, status, balance, held, seq, metadata, created_at
  FROM ledger.account WHERE false;
SELECT account_id, slot, active, currency, minor_units, balance, seq FROM ledger.account_slot WHERE false;
SELECT id, reference, kind, request_hash, memo, metadata, reversal_of, reversed_by, posted_at FROM ledger.transaction WHERE false;
SELECT transaction_id, account_id, slot, seq, amount, balance_before, balance_after, posted_at FROM ledger.entry WHERE false;
SELECT id, reference, request_hash, account_id, amount, status, memo, expires_at, created_at, resolved_at,
       resolution_ref, captured_amount, transaction_id, open_expires_at
  FROM ledger.hold WHERE false;
SELECT 'ledger.reference'::regtype, 'ledger.memo'::regtype, 'ledger.owner_type'::regtype, 'ledger.owner_id'::regtype,
       'ledger.account_purpose'::regtype, 'ledger.account_status'::regtype, 'ledger.slot_count'::regtype,
       'ledger.limit_amount'::regtype, 'ledger.hot_slot'::regtype, 'ledger.transaction_kind'::regtype,
       'ledger.hold_status'::regtype;
SELECT 'ledger.transaction_reversal_of_key'::regclass, 'ledger.entry_transaction_id_idx'::regclass,
       'ledger.hold_open_expires_at_idx'::regclass, 'ledger.hold_account_id_idx'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = 'ledger.account'::regclass AND t.tgfoid = 'audit.track()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM unnest(ARRAY['account_audit', 'account_policy_audit']) AS g(name);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['LEDGER_UNKNOWN_ACCOUNT', 'LEDGER_ACCOUNT_EXISTS', 'LEDGER_ACCOUNT_INVALID',
                    'LEDGER_ACCOUNT_FROZEN', 'LEDGER_ACCOUNT_CLOSED', 'LEDGER_ACCOUNT_NOT_EMPTY', 'LEDGER_RECEIVE_ONLY',
                    'LEDGER_INSUFFICIENT_FUNDS', 'LEDGER_CURRENCY_MISMATCH', 'LEDGER_AMOUNT_INVALID',
                    'LEDGER_AMOUNT_PRECISION', 'LEDGER_UNBALANCED', 'LEDGER_INVALID_LEGS', 'LEDGER_INVALID_BATCH',
                    'LEDGER_SAME_ACCOUNT', 'LEDGER_REFERENCE_INVALID', 'LEDGER_IDEMPOTENCY_CONFLICT',
                    'LEDGER_UNKNOWN_HOLD', 'LEDGER_HOLD_RESOLVED', 'LEDGER_HOLD_EXPIRED', 'LEDGER_HOLD_EXPIRY_INVALID',
                    'LEDGER_CAPTURE_EXCEEDS_HOLD', 'LEDGER_UNKNOWN_TRANSACTION', 'LEDGER_ALREADY_REVERSED',
                    'LEDGER_NOT_REVERSIBLE', 'LEDGER_IMMUTABLE', 'LEDGER_HOT_ACCOUNT_POLICY']) AS c;

-- privileges: the back office reads everything but the sealed references (core.secret); no API role writes
SELECT 1 / (pg_catalog.has_schema_privilege('mercato_user', 'ledger', 'USAGE')
            AND pg_catalog.has_schema_privilege('mercato_service', 'ledger', 'USAGE')
            AND NOT pg_catalog.has_schema_privilege('mercato_anon', 'ledger', 'USAGE'))::int;
SELECT 1 / pg_catalog.has_table_privilege('mercato_service', t, 'SELECT')::int
  FROM unnest(ARRAY['ledger.account', 'ledger.account_slot', 'ledger.entry']) AS t;
SELECT 1 / pg_catalog.has_column_privilege('mercato_service', 'ledger.transaction', c, 'SELECT')::int
  FROM unnest(ARRAY['id', 'kind', 'request_hash', 'memo', 'metadata', 'reversal_of', 'reversed_by', 'posted_at']) AS c;
SELECT 1 / pg_catalog.has_column_privilege('mercato_service', 'ledger.hold', c, 'SELECT')::int
  FROM unnest(ARRAY['id', 'request_hash', 'account_id', 'amount', 'status', 'memo', 'expires_at', 'created_at', 'resolved_at',
                    'captured_amount', 'transaction_id', 'open_expires_at']) AS c;
SELECT 1 / (NOT pg_catalog.has_column_privilege(r, s.t, s.c, 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       (VALUES ('ledger.transaction', 'reference'), ('ledger.hold', 'reference'),
               ('ledger.hold', 'resolution_ref')) AS s(t, c);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['ledger.account', 'ledger.account_slot', 'ledger.transaction', 'ledger.entry', 'ledger.hold']) AS t;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its declared secrets
SELECT 1 / (SELECT count(*) FROM core.secret s
             WHERE (s.table_schema, s.table_name, s.column_name) IS NOT DISTINCT FROM (x.s, x.t, x.c))::int
  FROM (VALUES ('ledger', 'hold', 'reference'),
               ('ledger', 'hold', 'resolution_ref'),
               ('ledger', 'transaction', 'reference')) AS x(s, t, c);

ROLLBACK;
