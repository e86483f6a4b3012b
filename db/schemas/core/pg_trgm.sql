-- Deploy mercato:schemas/core/pg_trgm to pg
-- The extension pg_trgm (trigram similarity and its GIN operator class), for the catalog's search on SKU, barcode and
-- misspelt titles (issue 18). pg_trgm is a trusted extension: mercato_owner creates it, given CREATE on the database,
-- which schemas/outbox granted it (docs/operations.md, "Ownership"). It lives in schema public, as pgcrypto and
-- btree_gist do, so its functions and operators are named public.similarity, OPERATOR(public.%), public.gin_trgm_ops.
-- A database where a superuser created it already keeps that one (IF NOT EXISTS).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

COMMIT;
