-- Tests for schemas/ledger/fk_indexes: the hold's transaction foreign key has its index. Which foreign keys stay
-- unindexed, and why, is checked from the catalog by py/tests/test_fk_indexes.py.
BEGIN;
SELECT plan(2);

SELECT has_index('ledger', 'hold', 'hold_transaction_id_idx', ARRAY['transaction_id'], 'hold_transaction_id_idx on (transaction_id)');
SELECT is((SELECT indpred IS NULL FROM pg_index WHERE indexrelid = 'ledger.hold_transaction_id_idx'::regclass), true,
          'hold_transaction_id_idx is not partial: it serves every foreign key lookup');

SELECT * FROM finish();
ROLLBACK;
