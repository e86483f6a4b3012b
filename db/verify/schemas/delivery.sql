-- Verify mercato:schemas/delivery on pg

BEGIN;

SELECT id, assignment_id, session_type, business_id, provider_id, vehicle_id, status, failures, failure_budget,
       codes_issued, last_issued_at, verified_at FROM delivery.session WHERE false;
SELECT id, session_id, code_hmac, key_id, channel, status, attempts, max_attempts, expires_at, used_at FROM delivery.otp WHERE false;
SELECT id, session_id, otp_id, outcome, actor_id, created_at FROM delivery.otp_attempt WHERE false;
SELECT session_id, photos, odometer_km, fuel_level, notes, recorded_at FROM delivery.handover WHERE false;
SELECT 1 / count(*)::int FROM delivery.otp_key WHERE retired_at IS NULL;

ROLLBACK;
