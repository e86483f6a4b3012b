-- Revert mercato:schemas/parties from pg

BEGIN;

DROP TABLE parties.tier_candidate, parties.tier_change, parties.trust_score_event, parties.provider, parties.business;
DROP SCHEMA parties;

COMMIT;
