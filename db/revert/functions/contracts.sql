-- Revert mercato:functions/contracts from pg

BEGIN;

DROP FUNCTION contracts.check();
DROP FUNCTION contracts.list_contracts(text, integer);
DROP FUNCTION contracts.get_contract(bigint);
DROP FUNCTION contracts.complete_contract(bigint);
DROP FUNCTION contracts.terminate_contract(bigint, text);
DROP FUNCTION contracts.cancel_assignment(bigint, text);
DROP FUNCTION contracts.assign_vehicle(bigint, bigint);
DROP FUNCTION contracts.release_unearned(bigint);
DROP FUNCTION contracts.activate_contract(bigint);
DROP FUNCTION contracts.cancel_contract(bigint, text);
DROP FUNCTION contracts.create_contract(bigint);
DROP FUNCTION contracts.require_contract_party(contracts.contract, boolean);
DROP FUNCTION contracts.hold_reference(bigint, numeric, numeric);
DROP FUNCTION contracts.line_bounds(bigint);
DROP FUNCTION contracts.award_parties(bigint, timestamptz, bigint, text);
DROP FUNCTION contracts.provider_tier_at(bigint, timestamptz);
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
