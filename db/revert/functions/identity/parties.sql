-- Revert mercato:functions/identity/parties from pg

BEGIN;

DROP FUNCTION identity.vehicle_insured(bigint, date, date);
DROP FUNCTION identity.current_provider();
DROP FUNCTION identity.current_business();
DROP FUNCTION identity.is_marketplace_admin();
DELETE FROM core.error WHERE code IN ('IDENTITY_NOT_A_BUSINESS', 'IDENTITY_NOT_A_PROVIDER');
DELETE FROM identity.role_permission
 WHERE permission_id IN (SELECT id FROM identity.permission WHERE code = 'marketplace.admin');
DELETE FROM identity.permission WHERE code = 'marketplace.admin';

COMMIT;
