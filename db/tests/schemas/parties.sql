-- Tests for schemas/parties: constraints of businesses and providers.
BEGIN;
SELECT plan(4);

SELECT has_table('parties', 'business', 'businesses');
SELECT has_table('parties', 'provider', 'providers');
SELECT identity.register_user('kc|sp-p', 'PROVIDER', 'P');
INSERT INTO parties.provider (user_id, provider_type, name) SELECT id, 'COMPANY', 'P plc' FROM identity.user_account WHERE auth_subject = 'kc|sp-p';
SELECT throws_ok($$UPDATE parties.provider SET trust_score = 101$$, '23514', NULL, 'trust scores are 0-100');
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM parties.provider), 0, 'mercato_user without claims reads no party (row-level security)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
