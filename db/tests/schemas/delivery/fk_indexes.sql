-- Tests for schemas/delivery/fk_indexes: a session's business and provider have their indexes (the session_party
-- policy filters on both). Which foreign keys stay unindexed, and why, is checked by py/tests/test_fk_indexes.py.
BEGIN;
SELECT plan(3);

SELECT has_index('delivery', 'session', 'session_business_id_idx', ARRAY['business_id'], 'session_business_id_idx on (business_id)');
SELECT has_index('delivery', 'session', 'session_provider_id_idx', ARRAY['provider_id'], 'session_provider_id_idx on (provider_id)');
SELECT is((SELECT count(*) FROM pg_index
            WHERE indexrelid IN ('delivery.session_business_id_idx'::regclass, 'delivery.session_provider_id_idx'::regclass)
              AND indpred IS NULL), 2::bigint,
          'neither index is partial: they serve every foreign key lookup');

SELECT * FROM finish();
ROLLBACK;
