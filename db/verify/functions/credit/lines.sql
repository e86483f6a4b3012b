-- Verify mercato:functions/credit/lines on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['credit.credit_line_status_trg()', 'credit.require_line(bigint, boolean)',
                    'credit.apply_line_limit(bigint, numeric)', 'credit.open_line(bigint, bigint, numeric, integer)',
                    'credit.set_line_limit(bigint, numeric)', 'credit.set_exposure_cap(bigint, numeric)',
                    'credit.set_line_status(bigint, text, text)', 'credit.retailer_rescore_trg()',
                    'credit.lines_of(bigint[])', 'credit.get_line(bigint)', 'credit.my_lines(bigint, bigint)',
                    'credit.line_statement(bigint, bigint, integer)']::regprocedure[]) AS f;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('credit.credit_line', 'credit_line_status', 'credit.credit_line_status_trg()'),
               ('credit.retailer', 'retailer_rescore', 'credit.retailer_rescore_trg()')) AS x(t, n, f);

ROLLBACK;
