-- Revert mercato:functions/contracts/creation from pg

BEGIN;

DROP FUNCTION contracts.cancel_contract(bigint, text);
DROP FUNCTION contracts.create_contract(bigint);
DROP FUNCTION contracts.require_contract_party(contracts.contract, boolean);
DROP FUNCTION contracts.award_parties(bigint, timestamptz, bigint, text);
DROP FUNCTION contracts.provider_tier_at(bigint, timestamptz);

COMMIT;
