-- mercato bench ledger: one ledger.post_batch of :batch transfers between distinct random accounts.
-- Variables from the harness (-D): lo, n (account ids lo .. lo+n-1), batch = transfers per call.
-- The batch document is built in SQL, as a client would send it: amounts as strings, one reference each.
\set r random(1, 9000000000000000000)
SELECT count(*) FROM ledger.post_batch((
    SELECT jsonb_agg(jsonb_build_object(
               'reference', 'b' || :client_id || '-' || :r || '-' || x.g,
               'debit_account_id', :lo + x.a,
               'credit_account_id', :lo + (x.a + x.d) % :n,
               'amount', ((1 + floor(random() * 100)::int) * 0.01)::text))
      FROM (SELECT g, floor(random() * :n)::bigint AS a, 1 + floor(random() * (:n - 1))::bigint AS d
              FROM generate_series(1, :batch) AS g) AS x));
