-- Revert mercato:schemas/store from pg
-- The store's cards go with the schema (their audit events stay); the permission, the card languages and the error codes
-- are deleted.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP SCHEMA store CASCADE;
DELETE FROM identity.role_permission rp USING identity.permission p WHERE p.id = rp.permission_id AND p.code = 'store.manage';
DELETE FROM identity.permission WHERE code = 'store.manage';
DELETE FROM masterdata.lookup l USING masterdata.lookup_type t WHERE t.id = l.lookup_type_id AND t.code = 'CARD_LANGUAGE';
DELETE FROM masterdata.lookup_type WHERE code = 'CARD_LANGUAGE';
DELETE FROM core.error WHERE module = 'store';

COMMIT;
