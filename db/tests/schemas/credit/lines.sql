-- Tests for schemas/credit/lines: one line per pair, terms and status CHECKs, fixed terms, never deleted, no API role
-- privilege, and the credit ledger view numbering a line's entries by their seq with the type from the metadata.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE w AS SELECT tests.credit_world('csl') AS j;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
CREATE TEMP TABLE a AS SELECT ledger.open_account('CREDIT_LINE', 'csl-1', 'CREDIT_LINE', 'INR', p_overdraft_limit => 500) AS line,
                              ledger.open_account('TEST', 'csl-sales', 'MAIN', 'INR') AS sales;
INSERT INTO credit.credit_line (vendor_id, retailer_id, account_id, currency, terms_days)
SELECT pg_temp.u('vendor'), pg_temp.u('retailer'), line, 'INR', 30 FROM a;

SELECT throws_ok($$INSERT INTO credit.credit_line (vendor_id, retailer_id, account_id, currency, terms_days)
                   SELECT pg_temp.u('vendor'), pg_temp.u('retailer'), sales, 'INR', 30 FROM a$$, '23505', NULL,
                 'one credit line per vendor and retailer');
SELECT throws_ok($$INSERT INTO credit.credit_line (vendor_id, retailer_id, account_id, currency, terms_days)
                   SELECT pg_temp.u('vendor'), pg_temp.u('unscored'), sales, 'INR', 366 FROM a$$, '23514', NULL,
                 'terms are 0 to 365 days');
SELECT throws_like($$UPDATE credit.credit_line SET retailer_id = pg_temp.u('unscored')$$, 'CREDIT_IMMUTABLE:%',
                   'a line''s parties and account never change');
SELECT throws_like($$DELETE FROM credit.credit_line$$, 'CREDIT_IMMUTABLE:%', 'a line is never deleted');
SELECT ok(NOT has_table_privilege('mercato_user', 'credit.credit_line', 'SELECT')
          AND NOT has_table_privilege('mercato_service', 'credit.credit_ledger', 'SELECT'),
          'no API role reads the table or the view directly');

SELECT ledger.transfer('csl-o1', line, sales, 120.00, 'order 1', '{"credit_type": "ORDER_CREDIT", "due_date": "2027-01-05"}') FROM a;
SELECT ledger.transfer('csl-p1', sales, line, 20.00, 'payment 1', '{"credit_type": "PAYMENT_DEBIT"}') FROM a;
SELECT ledger.transfer('csl-x1', line, sales, 5.00) FROM a;
SELECT ledger.reverse('csl-r1', (SELECT id FROM ledger.transaction WHERE reference = 'csl-x1'));
SELECT is((SELECT array_agg(format('%s:%s:%s:%s:%s', ledger_number, transaction_type, amount, previous_balance,
                                   running_balance) ORDER BY ledger_number)
             FROM credit.credit_ledger WHERE credit_line_id = (SELECT id FROM credit.credit_line WHERE account_id = (SELECT line FROM a))),
          ARRAY['1:ORDER_CREDIT:-120.00:0.00:-120.00', '2:PAYMENT_DEBIT:20.00:-120.00:-100.00',
                '3:ADJUSTMENT_CREDIT:-5.00:-100.00:-105.00', '4:REVERSAL:5.00:-105.00:-100.00'],
          'the credit ledger numbers each entry of the line by its seq, with type and running balances');
SELECT is((SELECT (outstanding, due_date)::text FROM credit.credit_ledger WHERE ledger_number = 1
              AND credit_line_id = (SELECT id FROM credit.credit_line WHERE account_id = (SELECT line FROM a))),
          '(120.00,2027-01-05)', 'the outstanding debt after an entry and its due date');
SELECT is((SELECT reversed_by IS NOT NULL FROM credit.credit_ledger WHERE ledger_number = 3
              AND credit_line_id = (SELECT id FROM credit.credit_line WHERE account_id = (SELECT line FROM a))), true,
          'a reversed entry links to its reversal');

SELECT * FROM finish();
ROLLBACK;
