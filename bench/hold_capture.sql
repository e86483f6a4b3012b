-- mercato bench ledger: an escrow pair. create_hold on a random buyer account, then capture_hold of the
-- hold to two destinations: a random provider account (90 %) and the platform COMMISSION account (10 %).
-- Two statements (each its own database transaction) per pgbench transaction; the hold id is passed on with gset.
-- Variables from the harness (-D): lo, n (account ids lo .. lo+n-1), hot = the platform COMMISSION account.
\set a random(0, :n - 1)
\set d random(1, :n - 1)
\set buyer :lo + :a
\set provider :lo + (:a + :d) % :n
\set r random(1, 9000000000000000000)
SELECT ledger.create_hold('h' || :client_id || '-' || :r, :buyer, 10.00) AS hold_id \gset
SELECT ledger.capture_hold('c' || :client_id || '-' || :r, :hold_id,
       jsonb_build_array(jsonb_build_object('account_id', :provider, 'amount', '9.00'),
                         jsonb_build_object('account_id', :hot, 'amount', '1.00')));
