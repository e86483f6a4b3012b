-- Revert mercato:schemas/delivery/rls from pg

BEGIN;

REVOKE SELECT ON delivery.session, delivery.handover FROM mercato_user, mercato_service;
DROP POLICY handover_party ON delivery.handover;
DROP POLICY session_party ON delivery.session;
DROP POLICY handover_service ON delivery.handover;
DROP POLICY session_service ON delivery.session;
ALTER TABLE delivery.session DISABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.handover DISABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.otp DISABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.otp_attempt DISABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.otp_key DISABLE ROW LEVEL SECURITY;

COMMIT;
