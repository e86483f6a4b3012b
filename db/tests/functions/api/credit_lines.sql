-- Tests for functions/api/credit_lines: who may call each wrapper, and a line read through them with its statement.
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE w AS SELECT tests.credit_world('cal') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT ok(NOT has_function_privilege('mercato_anon', 'api.open_credit_line(bigint, bigint, numeric, integer)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.credit_line_statement(bigint, bigint, integer)', 'EXECUTE'),
          'anonymous callers open and read no line');
SELECT tests.as_service();
CREATE TEMP TABLE l AS SELECT api.open_credit_line(pg_temp.u('vendor'), pg_temp.u('retailer'), 500, 15) AS id;
SELECT tests.as_owner();
GRANT SELECT ON l TO PUBLIC;
SELECT ledger.transfer('cal-o1', (SELECT account_id FROM credit.credit_line WHERE id = (SELECT id FROM l)),
                       ledger.open_account('TEST', 'cal-sales', 'MAIN', 'INR'), 75.50, 'order',
                       '{"credit_type": "ORDER_CREDIT"}');
SELECT tests.as_user('cal-vclerk');
SELECT is((SELECT (credit_limit, debt, available, terms_days)::text FROM api.credit_line((SELECT id FROM l))),
          '(500,75.50,424.50,15)', 'the vendor''s STAFF reads the line with its figures from the ledger');
SELECT is((SELECT (ledger_number, transaction_type, running_balance, outstanding)::text
             FROM api.credit_line_statement((SELECT id FROM l))), '(1,ORDER_CREDIT,-75.50,75.50)',
          'and its statement');
SELECT throws_like($$SELECT api.set_credit_line_status((SELECT id FROM l), 'FROZEN')$$, 'CREDIT_UNKNOWN_LINE:%',
                   'but runs it not');
SELECT tests.as_user('cal-retailer');
SELECT is((SELECT count(*)::int FROM api.my_credit_lines()), 1, 'the retailer lists its line');
SELECT throws_like($$SELECT * FROM api.credit_line_statement((SELECT id FROM l), 0, 0)$$, 'CREDIT_INVALID_INPUT:%',
                   'a page has 1 to 1000 rows');

SELECT * FROM finish();
ROLLBACK;
