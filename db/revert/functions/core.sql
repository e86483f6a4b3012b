-- Revert mercato:functions/core from pg

BEGIN;

DROP DOMAIN core.name_text, core.url_text, core.long_text, core.text_list, core.json_doc, core.json_batch,
    core.finite_date, core.finite_timestamptz;
DROP FUNCTION core.check_text_size(text, integer, text), core.check_text_list(text[], integer, integer, text),
    core.check_json_size(jsonb, integer, text), core.check_finite_date(date, text),
    core.check_finite_timestamptz(timestamptz, text);
DROP FUNCTION core.refuse_change_trg();
DROP FUNCTION core.wrap(regprocedure, regprocedure, text, name[]);
DROP FUNCTION core.raise(text, text, text);
DROP FUNCTION core.http_status(text);

COMMIT;
