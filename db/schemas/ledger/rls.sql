-- Deploy mercato:schemas/ledger/rls to pg
-- Row-level security on the ledger: a user sees the accounts its business or provider owns, their entries, holds and
-- transactions; the back office (mercato_service) sees all; nobody else sees anything. SELECT-only: postings go
-- through the ledger's functions, and no API role holds INSERT, UPDATE or DELETE on these tables.

BEGIN;

CREATE FUNCTION ledger.my_account_ids()
RETURNS bigint[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT coalesce(array_agg(a.id ORDER BY a.id), '{}')
          FROM ledger.account a
         WHERE (a.owner_type = 'BUSINESS' AND a.owner_id = parties.my_business_id()::text)
            OR (a.owner_type = 'PROVIDER' AND a.owner_id = parties.my_provider_id()::text));
COMMENT ON FUNCTION ledger.my_account_ids() IS
'The ids of the ledger accounts owned by the calling user''s business or provider (empty for anyone else). For
row-level security policies: (SELECT ledger.my_account_ids()) is evaluated once per query.';
GRANT EXECUTE ON FUNCTION ledger.my_account_ids() TO mercato_user, mercato_service;

CREATE FUNCTION ledger.slot_total(p_account_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT coalesce(sum(s.balance), 0) FROM ledger.account_slot s
         WHERE s.account_id = p_account_id
           AND (identity.is_service() OR p_account_id = ANY (ledger.my_account_ids())));
COMMENT ON FUNCTION ledger.slot_total(bigint) IS
'The part of a hot account''s balance kept in its slots (0 for ordinary accounts), for the back office or the
account''s owner only (0 for anyone else): lets a security_invoker view show balance = account.balance + slots without
granting the slots table.';
GRANT EXECUTE ON FUNCTION ledger.slot_total(bigint) TO mercato_user, mercato_service;

-- References are sealed (core.secret): a caller-chosen idempotency key can name what it pays (a contract line's escrow
-- hold carries the line's settled and released amounts), and their unique indexes would let EXPLAIN read other parties'
-- keys character by character through a row filter. Their owners and the back office read them through these.
CREATE FUNCTION ledger.visible_transaction_reference(p_transaction_id bigint)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT t.reference FROM ledger.transaction t
         WHERE t.id = p_transaction_id
           AND (identity.is_service()
                OR EXISTS (SELECT 1 FROM ledger.entry e
                            WHERE e.transaction_id = t.id AND e.account_id = ANY (ledger.my_account_ids()))));
COMMENT ON FUNCTION ledger.visible_transaction_reference(bigint) IS
'A transaction''s reference for the back office or the owner of one of its accounts; NULL for anyone else. Behind
api.transactions.';

CREATE FUNCTION ledger.visible_hold_reference(p_hold_id bigint)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT h.reference FROM ledger.hold h
         WHERE h.id = p_hold_id AND (identity.is_service() OR h.account_id = ANY (ledger.my_account_ids())));
COMMENT ON FUNCTION ledger.visible_hold_reference(bigint) IS
'A hold''s reference for the back office or the account''s owner; NULL for anyone else. Behind api.holds.';
GRANT EXECUTE ON FUNCTION ledger.visible_transaction_reference(bigint), ledger.visible_hold_reference(bigint)
    TO mercato_user, mercato_service;

ALTER TABLE ledger.account ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.account_slot ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.transaction ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.hold ENABLE ROW LEVEL SECURITY;

CREATE POLICY account_service ON ledger.account FOR SELECT TO mercato_service USING (true);
CREATE POLICY account_slot_service ON ledger.account_slot FOR SELECT TO mercato_service USING (true);
CREATE POLICY transaction_service ON ledger.transaction FOR SELECT TO mercato_service USING (true);
CREATE POLICY entry_service ON ledger.entry FOR SELECT TO mercato_service USING (true);
CREATE POLICY hold_service ON ledger.hold FOR SELECT TO mercato_service USING (true);

CREATE POLICY account_own ON ledger.account FOR SELECT TO mercato_user
    USING (id = ANY ((SELECT ledger.my_account_ids())::bigint[]));
CREATE POLICY entry_own ON ledger.entry FOR SELECT TO mercato_user
    USING (account_id = ANY ((SELECT ledger.my_account_ids())::bigint[]));
CREATE POLICY hold_own ON ledger.hold FOR SELECT TO mercato_user
    USING (account_id = ANY ((SELECT ledger.my_account_ids())::bigint[]));
CREATE POLICY transaction_own ON ledger.transaction FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM ledger.entry e
                    WHERE e.transaction_id = transaction.id AND e.account_id = ANY ((SELECT ledger.my_account_ids())::bigint[])));

-- account_slot (the hot accounts' balance slots) stays back-office only.
GRANT SELECT ON ledger.account, ledger.entry TO mercato_user;
-- Every column but the references (sealed, core.secret: ledger.visible_transaction_reference / visible_hold_reference).
GRANT SELECT (id, kind, request_hash, memo, metadata, reversal_of, reversed_by, posted_at) ON ledger.transaction TO mercato_user;
GRANT SELECT (id, request_hash, account_id, amount, status, memo, expires_at, created_at, resolved_at, captured_amount,
              transaction_id, open_expires_at) ON ledger.hold TO mercato_user;

COMMIT;
