-- Revert mercato:schemas/identity/parties from pg

BEGIN;

DROP TABLE identity.tier_candidate, identity.tier_change, identity.trust_score_event, identity.vehicle_insurance,
           identity.vehicle, identity.provider, identity.business;

COMMIT;
