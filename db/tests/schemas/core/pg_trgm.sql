-- Tests for schemas/core/pg_trgm: the extension is there, in schema public, and answers as the catalog uses it.
BEGIN;
SELECT plan(3);

SELECT has_extension('public', 'pg_trgm', 'pg_trgm is installed in schema public');
SELECT ok(public.similarity('Charizard', 'Charzard') > 0.3, 'a misspelling is similar');
SELECT ok('Charizard Holo' OPERATOR(public.%) 'charzard holo', 'the similarity operator matches a misspelt title');

SELECT * FROM finish();
ROLLBACK;
