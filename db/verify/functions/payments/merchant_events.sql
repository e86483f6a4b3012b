-- Verify mercato:functions/payments/merchant_events on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY[
               'payments.new_webhook_secret(bigint)',
               'payments.webhook_signature(bigint, bigint, text, timestamptz)',
               'payments.verify_webhook_signature(bigint, text, text, timestamptz, integer)',
               'payments.require_endpoint(bigint)',
               'payments.create_webhook_endpoint(bigint, text, text[])',
               'payments.update_webhook_endpoint(bigint, text, text[], text)',
               'payments.rotate_webhook_secret(bigint, integer)',
               'payments.webhook_endpoints(bigint)',
               'payments.deliver_merchant_event(bigint, bigint)',
               'payments.emit_merchant_event(bigint, text, bigint, text, jsonb)',
               'payments.replay_merchant_event(bigint, bigint)',
               'payments.merchant_deliveries(bigint, text, bigint, text, bigint, integer)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY[
               'payments.new_webhook_secret(bigint)',
               'payments.webhook_signature(bigint, bigint, text, timestamptz)',
               'payments.verify_webhook_signature(bigint, text, text, timestamptz, integer)',
               'payments.require_endpoint(bigint)',
               'payments.create_webhook_endpoint(bigint, text, text[])',
               'payments.update_webhook_endpoint(bigint, text, text[], text)',
               'payments.rotate_webhook_secret(bigint, integer)',
               'payments.webhook_endpoints(bigint)',
               'payments.deliver_merchant_event(bigint, bigint)',
               'payments.emit_merchant_event(bigint, text, bigint, text, jsonb)',
               'payments.replay_merchant_event(bigint, bigint)',
               'payments.merchant_deliveries(bigint, text, bigint, text, bigint, integer)']) AS f;

ROLLBACK;
