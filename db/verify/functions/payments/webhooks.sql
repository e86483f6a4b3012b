-- Verify mercato:functions/payments/webhooks on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.header(jsonb, text)',
                    'payments.settle_instruction(bigint, text, text, text)',
                    'payments.authenticate_webhook(payments.rail, jsonb, text, inet)',
                    'payments.parse_webhook(payments.rail, jsonb, text)',
                    'payments.status_outcome(payments.rail_instruction, payments.rail, jsonb)',
                    'payments.apply_webhook(bigint, payments.rail, jsonb)',
                    'payments.ingest_webhook(text, jsonb, text)',
                    'payments.rail_acknowledge(bigint, uuid, text)',
                    'payments.webhook_events(text, text, integer)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r,
       unnest(ARRAY['payments.header(jsonb, text)',
                    'payments.settle_instruction(bigint, text, text, text)',
                    'payments.authenticate_webhook(payments.rail, jsonb, text, inet)',
                    'payments.parse_webhook(payments.rail, jsonb, text)',
                    'payments.status_outcome(payments.rail_instruction, payments.rail, jsonb)',
                    'payments.apply_webhook(bigint, payments.rail, jsonb)',
                    'payments.ingest_webhook(text, jsonb, text)',
                    'payments.rail_acknowledge(bigint, uuid, text)',
                    'payments.webhook_events(text, text, integer)']) AS f;

ROLLBACK;
