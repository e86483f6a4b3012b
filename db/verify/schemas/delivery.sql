-- Verify mercato:schemas/delivery on pg
-- Existence and privileges only: a missing column or index raises; a missing signing key, secret declaration or error
-- code, a schema the API roles cannot use, or a write privilege of an API role divides by zero.

BEGIN;

SELECT id, assignment_id, session_type, business_id, provider_id, vehicle_id, status, live, failures, failure_budget,
       codes_issued, last_issued_at, created_at, verified_at FROM delivery.session WHERE false;
SELECT id, session_id, code_hmac, key_id, channel, status, attempts, max_attempts, expires_at, created_at, used_at
  FROM delivery.otp WHERE false;
SELECT id, session_id, otp_id, outcome, actor_id, created_at FROM delivery.otp_attempt WHERE false;
SELECT session_id, photos, odometer_km, fuel_level, notes, recorded_at FROM delivery.handover WHERE false;
SELECT id, secret, created_at, retired_at FROM delivery.otp_key WHERE false;
SELECT 'delivery.session_assignment_live_key'::regclass, 'delivery.otp_session_active_key'::regclass,
       'delivery.otp_attempt_session_id_idx'::regclass, 'delivery.otp_key_current_key'::regclass;
SELECT 1 / count(*)::int FROM delivery.otp_key WHERE retired_at IS NULL;   -- the key that signs new codes (unique index)
SELECT 1 / (count(*) = 2)::int FROM core.secret
 WHERE table_schema = 'delivery' AND (table_name, column_name, kind) IN (('otp', 'code_hmac', 'SECRET'), ('otp_key', 'secret', 'SECRET'));
SELECT 1 / (count(*) = 7)::int FROM core.error
 WHERE module = 'delivery' AND code IN ('DELIVERY_UNKNOWN_ASSIGNMENT', 'DELIVERY_UNKNOWN_SESSION', 'DELIVERY_INVALID_STATE',
       'DELIVERY_SESSION_EXISTS', 'DELIVERY_RESEND_TOO_SOON', 'DELIVERY_RESEND_LIMIT', 'DELIVERY_INVALID_INPUT');
SELECT 1 / (has_schema_privilege(r, 'delivery', 'USAGE') AND NOT has_schema_privilege(r, 'delivery', 'CREATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['delivery.session', 'delivery.otp', 'delivery.otp_attempt', 'delivery.handover', 'delivery.otp_key']) AS t;

ROLLBACK;
