-- Tests for functions/contracts/check: the integrity check finds a line whose escrow hold no longer equals its
-- remainder. (Every other contracts test asserts the check is clean after each step.)
BEGIN;
SELECT plan(2);

SELECT tests.put(k, v) FROM tests.contracts_world(true);

-- check() detects corruption ------------------------------------------------------------------------
UPDATE contracts.contract_line SET released = released + 1 WHERE id = tests.id('l2');
SELECT ok(NOT (SELECT ok FROM contracts.check() WHERE check_name = 'hold_equals_escrow_remainder'),
          'check() reports a line whose hold no longer equals its remainder');
SELECT is((SELECT violations FROM contracts.check() WHERE check_name = 'hold_equals_escrow_remainder'), 1::bigint, 'exactly that line');

SELECT * FROM finish();
ROLLBACK;
