-- Revert mercato:functions/parties/registration from pg

BEGIN;

DROP FUNCTION parties.top_up_business(bigint, numeric, text), parties.set_provider_verification(bigint, text),
    parties.set_business_kyb(bigint, text), parties.register_provider(text, text, text),
    parties.register_business(text, text, text), parties.check_tin(text),
    parties.check_party_text(text, text, integer, boolean), parties.require_admin();
DROP TRIGGER business_organization ON parties.business;
DROP TRIGGER provider_organization ON parties.provider;
DROP FUNCTION parties.party_organization_trg(), parties.acts_for_provider(bigint, text), parties.acts_for_business(bigint, text);
DROP FUNCTION parties.current_provider();
DROP FUNCTION parties.current_business();
DROP FUNCTION parties.is_marketplace_admin();
DELETE FROM core.error WHERE code IN ('IDENTITY_NOT_A_BUSINESS', 'IDENTITY_NOT_A_PROVIDER', 'IDENTITY_ALREADY_REGISTERED',
    'IDENTITY_WRONG_USER_TYPE', 'IDENTITY_UNKNOWN_BUSINESS', 'IDENTITY_UNKNOWN_PROVIDER', 'IDENTITY_PARTY_INVALID');
DELETE FROM identity.role_permission
 WHERE permission_id IN (SELECT id FROM identity.permission WHERE code = 'marketplace.admin');
DELETE FROM identity.permission WHERE code = 'marketplace.admin';

COMMIT;
