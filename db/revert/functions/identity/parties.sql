-- Revert mercato:functions/identity/parties from pg

BEGIN;

DROP FUNCTION identity.top_up_business(bigint, numeric, text), identity.my_vehicles(), identity.expiring_insurance(integer),
    identity.verify_insurance(bigint, text), identity.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric),
    identity.set_vehicle_status(bigint, text), identity.add_vehicle(text, text, integer, text, text, text, text[], jsonb),
    identity.set_provider_verification(bigint, text), identity.set_business_kyb(bigint, text),
    identity.register_provider(text, text, text), identity.register_business(text, text, text),
    identity.check_tin(text), identity.check_party_text(text, text, integer, boolean), identity.require_admin();
DROP FUNCTION identity.vehicle_insured(bigint, date, date);
DROP FUNCTION identity.current_provider();
DROP FUNCTION identity.current_business();
DROP FUNCTION identity.is_marketplace_admin();
DELETE FROM core.error WHERE code IN ('IDENTITY_NOT_A_BUSINESS', 'IDENTITY_NOT_A_PROVIDER', 'IDENTITY_ALREADY_REGISTERED',
    'IDENTITY_WRONG_USER_TYPE', 'IDENTITY_UNKNOWN_BUSINESS', 'IDENTITY_UNKNOWN_PROVIDER', 'IDENTITY_UNKNOWN_VEHICLE',
    'IDENTITY_UNKNOWN_INSURANCE', 'IDENTITY_PLATE_TAKEN', 'IDENTITY_PARTY_INVALID');
DELETE FROM identity.role_permission
 WHERE permission_id IN (SELECT id FROM identity.permission WHERE code = 'marketplace.admin');
DELETE FROM identity.permission WHERE code = 'marketplace.admin';

COMMIT;
