-- Revert mercato:functions/contracts/guards from pg

BEGIN;

DROP TRIGGER assignment_audit ON contracts.assignment;
DROP TRIGGER contract_audit ON contracts.contract;
DROP TRIGGER assignment_guard ON contracts.assignment;
DROP FUNCTION contracts.assignment_guard_trg();
DROP TRIGGER contract_line_guard ON contracts.contract_line;
DROP FUNCTION contracts.contract_line_guard_trg();
DROP TRIGGER contract_guard ON contracts.contract;
DROP FUNCTION contracts.contract_guard_trg();
DROP TRIGGER party_provider_immutable ON contracts.party_provider;
DROP TRIGGER party_business_immutable ON contracts.party_business;
DELETE FROM core.error WHERE module = 'contracts';

COMMIT;
