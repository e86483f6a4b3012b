-- Tests for functions/core/counter: numbers per scope and key, gapless across a rolled-back use, refusals.
BEGIN;
SELECT plan(7);

SELECT is(core.next_number('tests.thing', 'k1'), 1::bigint, 'a new counter starts at 1');
SELECT is(core.next_number('tests.thing', 'k1'), 2::bigint, 'then 2');
SELECT is(core.next_number('tests.thing', 'k2'), 1::bigint, 'another key counts on its own');
SELECT is(core.next_number('tests.other', 'k1'), 1::bigint, 'and so does another scope');
SAVEPOINT s;
SELECT core.next_number('tests.thing', 'k1');
ROLLBACK TO SAVEPOINT s;
SELECT is(core.next_number('tests.thing', 'k1'), 3::bigint, 'a number given to a rolled-back use is given again: no gap');
SELECT throws_like($$SELECT core.next_number('bad scope', 'k')$$, 'CORE_COUNTER_INVALID:%', 'a malformed scope is refused');
SELECT ok(NOT has_function_privilege('mercato_user', 'core.next_number(text, text)', 'EXECUTE'),
          'internal: API roles cannot draw numbers');

SELECT * FROM finish();
ROLLBACK;
