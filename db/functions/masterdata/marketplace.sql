-- Deploy mercato:functions/masterdata/marketplace to pg
-- PLACEHOLDER: being written (see the module's helper); replaced before merge.

BEGIN;

COMMIT;
