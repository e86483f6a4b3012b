-- Tests for functions/ledger/check: every check passes on a ledger the functions wrote, and each fails on its fault.
BEGIN;
SELECT plan(19);

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;
-- a ledger with a bit of everything: transfers (to a hot account too), a multi-leg post, a captured hold, a reversal
SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000);
SELECT ledger.transfer('hot-' || g, (SELECT biz FROM a), (SELECT hot FROM a), 1) FROM generate_series(1, 3) g;
SELECT ledger.transfer('pay-prov', (SELECT biz FROM a), (SELECT prov FROM a), 100);
SELECT ledger.post('post-1', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '100', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '90', 'side', 'CREDIT'),
    jsonb_build_object('account_id', (SELECT hot FROM a), 'amount', 10, 'side', 'CREDIT')));
SELECT ledger.capture_hold('cap-1', ledger.create_hold('hold-1', (SELECT biz FROM a), 50),
                           jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '40')));
SELECT ledger.reverse('rev-1', (SELECT id FROM ledger.transaction WHERE reference = 'post-1'));

-- integrity
SELECT is((SELECT count(*) FROM ledger.check() WHERE NOT ok), 0::bigint, 'every check passes');
SELECT is((SELECT count(*) FROM ledger.check()), 10::bigint, 'one row per named check');
ALTER TABLE ledger.account DISABLE TRIGGER USER;
UPDATE ledger.account SET balance = balance + 1 WHERE id = (SELECT prov FROM a);
ALTER TABLE ledger.account ENABLE TRIGGER USER;
SELECT is((SELECT array_agg(check_name ORDER BY check_name) FROM ledger.check() WHERE NOT ok),
          ARRAY['balance_equals_entries']::text[], 'check() finds a balance that disagrees with its entries');
SELECT is((SELECT sample -> 0 ->> 'account_id' FROM ledger.check() WHERE check_name = 'balance_equals_entries'),
          (SELECT prov FROM a)::text, 'and names the offending account in its sample');
ALTER TABLE ledger.account DISABLE TRIGGER USER;
UPDATE ledger.account SET balance = balance - 1 WHERE id = (SELECT prov FROM a);

-- Every other check, each against one injected fault (written with the guards off, then undone): check() reads the
-- entries in two passes and reports only what they flag, so each kind of fault must be seen by a pass.
CREATE FUNCTION pg_temp.failing() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(check_name ORDER BY check_name), '{}') FROM ledger.check() WHERE NOT ok $$;
CREATE FUNCTION pg_temp.sample(p_check text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT sample -> 0 FROM ledger.check() WHERE check_name = p_check $$;
CREATE TEMP TABLE fault AS
SELECT (SELECT transaction_id FROM ledger.entry WHERE account_id = (SELECT prov FROM a) ORDER BY seq DESC LIMIT 1) AS prov_last_tx,
       (SELECT max(seq) FROM ledger.entry WHERE account_id = (SELECT prov FROM a) AND slot = 0) AS prov_last_seq,
       (SELECT transaction_id FROM ledger.entry WHERE account_id = (SELECT biz FROM a) AND seq = 2) AS biz_tx2,
       (SELECT id FROM ledger.transaction WHERE reversed_by IS NULL AND reversal_of IS NULL ORDER BY id LIMIT 1) AS plain_tx,
       (SELECT id FROM ledger.transaction ORDER BY id DESC LIMIT 1) AS last_tx;
ALTER TABLE ledger.entry DISABLE TRIGGER USER;
ALTER TABLE ledger.transaction DISABLE TRIGGER USER;

UPDATE ledger.entry SET amount = amount + 1, balance_after = balance_after + 1
 WHERE account_id = (SELECT prov FROM a) AND slot = 0 AND seq = (SELECT prov_last_seq FROM fault);
UPDATE ledger.account SET balance = balance + 1 WHERE id = (SELECT prov FROM a);
SELECT is(pg_temp.failing(), ARRAY['every_transaction_balanced', 'trial_balance_per_currency'],
          'an entry whose leg no longer balances: its transaction and the trial balance fail, nothing else');
SELECT is((pg_temp.sample('every_transaction_balanced') ->> 'transaction_id')::bigint, (SELECT prov_last_tx FROM fault),
          'and the sample names the transaction');
UPDATE ledger.entry SET amount = amount - 1, balance_after = balance_after - 1
 WHERE account_id = (SELECT prov FROM a) AND slot = 0 AND seq = (SELECT prov_last_seq FROM fault);
UPDATE ledger.account SET balance = balance - 1 WHERE id = (SELECT prov FROM a);

UPDATE ledger.entry SET balance_before = balance_before + 1, balance_after = balance_after + 1
 WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;
SELECT is(pg_temp.failing(), ARRAY['running_balances_chain'], 'a running balance that does not chain');
SELECT is((SELECT violations FROM ledger.check() WHERE check_name = 'running_balances_chain'), 2::bigint,
          'both links of the broken chain are counted');
UPDATE ledger.entry SET balance_before = balance_before - 1, balance_after = balance_after - 1
 WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;

UPDATE ledger.entry SET posted_at = posted_at - interval '1 day' WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;
SELECT is(pg_temp.failing(), ARRAY['posted_at_follows_seq'], 'an entry dated before the one it follows');
SELECT is((pg_temp.sample('posted_at_follows_seq') ->> 'seq')::bigint, 2::bigint, 'and the sample names it');
UPDATE ledger.entry SET posted_at = posted_at + interval '1 day' WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;

UPDATE ledger.entry SET transaction_id = -1 WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;
SELECT is(pg_temp.failing(), ARRAY['entries_reference_existing_rows', 'every_transaction_balanced'],
          'an entry naming a missing transaction (which leaves its own transaction unbalanced)');
SELECT is((pg_temp.sample('entries_reference_existing_rows') ->> 'transaction_id')::bigint, -1::bigint, 'and the sample names it');
UPDATE ledger.entry SET transaction_id = (SELECT biz_tx2 FROM fault) WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;

UPDATE ledger.entry SET slot = 3 WHERE account_id = (SELECT prov FROM a) AND slot = 0 AND seq = (SELECT prov_last_seq FROM fault);
SELECT ok('entries_reference_existing_rows' = ANY (pg_temp.failing()), 'an entry on a slot its plain account does not have');
SELECT is((pg_temp.sample('entries_reference_existing_rows') ->> 'slot')::int, 3, 'and the sample names the slot');
UPDATE ledger.entry SET slot = 0 WHERE account_id = (SELECT prov FROM a) AND slot = 3;

INSERT INTO ledger.transaction (reference, kind, request_hash) VALUES ('check-orphan', 'POST', md5('orphan')::uuid);
SELECT is(pg_temp.failing(), ARRAY['every_transaction_has_entries'], 'a transaction without entries');
DELETE FROM ledger.transaction WHERE reference = 'check-orphan';

UPDATE ledger.transaction SET reversed_by = (SELECT last_tx FROM fault) WHERE id = (SELECT plain_tx FROM fault);
SELECT is(pg_temp.failing(), ARRAY['reversals_linked_both_ways'], 'a reversal link without its way back');
UPDATE ledger.transaction SET reversed_by = NULL WHERE id = (SELECT plain_tx FROM fault);

UPDATE ledger.account SET held = held + 1 WHERE id = (SELECT biz FROM a);
SELECT is(pg_temp.failing(), ARRAY['held_equals_open_holds'], 'held funds that no open hold explains');
UPDATE ledger.account SET held = held - 1 WHERE id = (SELECT biz FROM a);

SELECT is(pg_temp.failing(), '{}'::text[], 'every fault undone: every check passes again');

ALTER TABLE ledger.account DROP CONSTRAINT account_available_check;
UPDATE ledger.account SET allow_negative = false WHERE id = (SELECT src FROM a);
SELECT is(pg_temp.failing(), ARRAY['no_account_below_its_limit'], 'an account below its limit');
ALTER TABLE ledger.entry ENABLE TRIGGER USER;
ALTER TABLE ledger.transaction ENABLE TRIGGER USER;
ALTER TABLE ledger.account ENABLE TRIGGER USER;

SELECT * FROM finish();
ROLLBACK;
