-- Revert mercato:functions/jobs from pg

BEGIN;

DROP PROCEDURE jobs.run_all();
DROP FUNCTION jobs.run(text, boolean), jobs.set_enabled(text, boolean), jobs.register(text, text, text, text, boolean),
    jobs.call_statement(regprocedure), jobs.resolve_function(text);

COMMIT;
