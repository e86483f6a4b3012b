-- Deploy mercato:functions/delivery to pg
-- PLACEHOLDER: being written (see the module's helper); replaced before merge.

BEGIN;

COMMIT;
