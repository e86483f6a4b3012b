-- Verify mercato:functions/payments/funding on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.check_rail_request(text, text, numeric, text, text)',
                    'payments.funding_json(payments.funding_session)',
                    'payments.create_funding_session(bigint, text, numeric, text, bigint)',
                    'payments.complete_funding(bigint)',
                    'payments.finish_funding(bigint, text, text, text)',
                    'payments.expire_funding_sessions(integer)',
                    'payments.get_funding_session(bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r,
       unnest(ARRAY['payments.check_rail_request(text, text, numeric, text, text)',
                    'payments.funding_json(payments.funding_session)',
                    'payments.create_funding_session(bigint, text, numeric, text, bigint)',
                    'payments.complete_funding(bigint)',
                    'payments.finish_funding(bigint, text, text, text)',
                    'payments.expire_funding_sessions(integer)',
                    'payments.get_funding_session(bigint)']) AS f;

ROLLBACK;
