-- Tests for schemas/core/counter: the table's rules hold whoever writes, and no API role touches it.
BEGIN;
SELECT plan(4);

SELECT throws_like($$INSERT INTO core.counter (scope, key, last_value) VALUES ('Orders', 't1', 1)$$, '%counter_scope_check%',
                   'a scope is module.entity in lower snake case');
SELECT throws_like($$INSERT INTO core.counter (scope, key, last_value) VALUES ('orders.order', '', 1)$$, '%counter_key_check%',
                   'a key is not empty');
SELECT throws_like($$INSERT INTO core.counter (scope, key, last_value) VALUES ('orders.order', 't1', -1)$$,
                   '%counter_last_value_check%', 'a counter never goes below zero');
SELECT ok(NOT has_table_privilege('mercato_user', 'core.counter', 'SELECT') AND
          NOT has_table_privilege('mercato_service', 'core.counter', 'UPDATE'), 'no API role reads or writes counters');

SELECT * FROM finish();
ROLLBACK;
