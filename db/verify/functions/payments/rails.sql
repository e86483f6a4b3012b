-- Verify mercato:functions/payments/rails on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.set_rail(text, text, text, text, text, integer, integer, text[], text)',
                    'payments.add_rail_hmac_secret(text, text, boolean)',
                    'payments.new_rail_path_token(text)',
                    'payments.rails()',
                    'payments.new_provider_id(text)',
                    'payments.send_instruction(text, text, text, bigint, numeric, text)',
                    'payments.send_status_query(bigint, text)',
                    'payments.sweep_rail_instructions(integer)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r,
       unnest(ARRAY['payments.set_rail(text, text, text, text, text, integer, integer, text[], text)',
                    'payments.add_rail_hmac_secret(text, text, boolean)',
                    'payments.new_rail_path_token(text)',
                    'payments.rails()',
                    'payments.new_provider_id(text)',
                    'payments.send_instruction(text, text, text, bigint, numeric, text)',
                    'payments.send_status_query(bigint, text)',
                    'payments.sweep_rail_instructions(integer)']) AS f;

ROLLBACK;
