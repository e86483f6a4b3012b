-- Tests for functions/ledger/guards: the triggers refuse what no writer may do, the owner included. (The schema's
-- tests, db/tests/schemas/ledger.sql, cover balancing, entry and transaction immutability and the hot-account policy.)
BEGIN;
SELECT plan(11);

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;
SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000);
CREATE TEMP TABLE h AS SELECT ledger.create_hold('hold-3', (SELECT biz FROM a), 50, now() + interval '1 hour') AS h3;
CREATE TEMP TABLE h4 AS SELECT ledger.create_hold('hold-4', (SELECT biz FROM a), 40) AS h;
SELECT ledger.capture_hold('cap-4', (SELECT h FROM h4),
                           jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '40')));

-- a hold resolves once, and its terms never change (hold_resolve_once, hold_terms_immutable)
SELECT trigger_is('ledger', 'hold', 'hold_resolve_once', 'ledger', 'hold_resolved_trg', 'a resolved hold is guarded');
SELECT throws_like($$UPDATE ledger.hold SET status = 'RELEASED' WHERE id = (SELECT h FROM h4)$$, 'LEDGER_HOLD_RESOLVED:%',
                   'a resolved hold never changes, even for the owner');
SELECT throws_like($$UPDATE ledger.hold SET amount = 1 WHERE id = (SELECT h3 FROM h)$$, 'LEDGER_IMMUTABLE:%',
                   'hold terms cannot change');
SELECT lives_ok($$UPDATE ledger.hold SET status = 'RELEASED', resolved_at = now() WHERE id = (SELECT h3 FROM h)$$,
                'an open hold may resolve (the one change a hold sees)');
SELECT throws_like($$UPDATE ledger.hold SET status = 'OPEN' WHERE id = (SELECT h3 FROM h)$$, 'LEDGER_HOLD_RESOLVED:%',
                   'and never reopens');

-- a transaction is reversed once (transaction_reversed_once)
SELECT ledger.transfer('to-reverse', (SELECT biz FROM a), (SELECT prov FROM a), 10);
SELECT ledger.reverse('rev-1', (SELECT id FROM ledger.transaction WHERE reference = 'to-reverse'));
SELECT throws_like($$UPDATE ledger.transaction SET reversed_by = NULL WHERE reference = 'to-reverse'$$, 'LEDGER_IMMUTABLE:%',
                   'reversed_by, once set, never changes, even for the owner');

-- nothing is deleted, and an account's or a slot's terms never change
SELECT throws_like($$DELETE FROM ledger.hold$$, 'LEDGER_IMMUTABLE:%', 'holds cannot be deleted');
SELECT throws_like($$DELETE FROM ledger.account WHERE id = (SELECT prov FROM a)$$, 'LEDGER_IMMUTABLE:%',
                   'accounts cannot be deleted');
SELECT throws_like($$DELETE FROM ledger.account_slot$$, 'LEDGER_IMMUTABLE:%', 'slots cannot be deleted');
SELECT throws_like($$UPDATE ledger.account_slot SET currency = 'USD' WHERE account_id = (SELECT hot FROM a)$$,
                   'LEDGER_IMMUTABLE:%', 'a slot''s currency never changes');

-- entries name existing accounts (entry_balanced)
SELECT throws_like($$INSERT INTO ledger.entry VALUES ((SELECT min(id) FROM ledger.transaction), 987654321, 0, 1, 5, 0, 5, now()),
                                                     ((SELECT min(id) FROM ledger.transaction), (SELECT src FROM a), 0, 99, -5, 0, -5, now())$$,
                   'LEDGER_UNKNOWN_ACCOUNT:%', 'entries must name an existing account, even for the owner');

SELECT * FROM finish();
ROLLBACK;
