-- mercato bench ledger: one ledger.transfer from a random account to the one hot COMMISSION account.
-- Variables from the harness (-D): lo, n (account ids lo .. lo+n-1), hot = the hot account (p_slots = 16).
\set a random(0, :n - 1)
\set debit :lo + :a
\set cents random(1, 100)
\set r random(1, 9000000000000000000)
SELECT ledger.transfer('h' || :client_id || '-' || :r, :debit, :hot, :cents * 0.01);
