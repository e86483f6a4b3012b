-- Verify mercato:functions/api/outbox on pg

BEGIN;

-- the sender's entry points: the sender executes them, no API role does
SELECT 1 / (has_function_privilege('mercato_sender', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_user', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_service', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.outbox_claim(core.name_text, integer, integer, core.name_text)',
                    'api.outbox_report_sent(bigint, uuid)',
                    'api.outbox_report_failed(bigint, uuid, core.long_text, boolean)']) f;
SELECT 1 / has_function_privilege('mercato_sender', 'core.check_text_size(text, integer, text)', 'EXECUTE')::int;
SELECT 1 / has_schema_privilege('mercato_sender', 'api', 'USAGE')::int;
-- the back office's: mercato_service only
SELECT 1 / (has_function_privilege('mercato_service', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_user', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_sender', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.outbox_list(core.name_text, core.name_text, integer)', 'api.outbox_retry(bigint)']) f;

ROLLBACK;
