-- Revert mercato:schemas/parties from pg

BEGIN;

DROP TABLE parties.tier_candidate, parties.tier_change, parties.trust_score_event, parties.provider, parties.business;
DROP SCHEMA parties;
-- the kinds go unless organizations of them remain: those are the kernel's (identity) data, with their members
DELETE FROM identity.organization_kind k WHERE k.code IN ('BUSINESS', 'PROVIDER')
   AND NOT EXISTS (SELECT 1 FROM identity.organization o WHERE o.kind = k.code);

COMMIT;
