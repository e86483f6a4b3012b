-- Deploy mercato:functions/identity/tiers to pg
-- PLACEHOLDER: being written (see the module's helper); replaced before merge.

BEGIN;

COMMIT;
