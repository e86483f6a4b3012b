-- Deploy mercato:schemas/delivery/rls to pg
-- Row-level security on delivery: the business and the provider of a handover see its session and what was recorded
-- (photos, odometer, fuel, notes); the back office sees all. Codes, their attempts and the HMAC keys stay unreadable
-- by every API role: row-level security is on with no policy, and no privilege is granted.

BEGIN;

ALTER TABLE delivery.session ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.handover ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.otp ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.otp_attempt ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery.otp_key ENABLE ROW LEVEL SECURITY;

CREATE POLICY session_service ON delivery.session FOR SELECT TO mercato_service USING (true);
CREATE POLICY handover_service ON delivery.handover FOR SELECT TO mercato_service USING (true);
CREATE POLICY session_party ON delivery.session FOR SELECT TO mercato_user
    USING (business_id = (SELECT parties.my_business_id()) OR provider_id = (SELECT parties.my_provider_id()));
CREATE POLICY handover_party ON delivery.handover FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM delivery.session s WHERE s.id = handover.session_id));   -- the session policy decides

GRANT SELECT ON delivery.session, delivery.handover TO mercato_user, mercato_service;

COMMIT;
