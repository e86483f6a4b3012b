-- mercato bench ledger: one ledger.transfer between two distinct random accounts.
-- Variables from the harness (-D): lo = first account id, n = number of accounts (ids lo .. lo+n-1).
\set a random(0, :n - 1)
\set d random(1, :n - 1)
\set debit :lo + :a
\set credit :lo + (:a + :d) % :n
\set cents random(1, 100)
\set r random(1, 9000000000000000000)
SELECT ledger.transfer('t' || :client_id || '-' || :r, :debit, :credit, :cents * 0.01);
