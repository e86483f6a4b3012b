-- Tests for schemas/contracts/fk_indexes: the contract line's RFQ line and the provider snapshot's provider have their
-- indexes. Which foreign keys stay unindexed, and why, is checked from the catalog by py/tests/test_fk_indexes.py.
BEGIN;
SELECT plan(3);

SELECT has_index('contracts', 'contract_line', 'contract_line_rfq_line_id_idx', ARRAY['rfq_line_id'],
                 'contract_line_rfq_line_id_idx on (rfq_line_id)');
SELECT has_index('contracts', 'party_provider', 'party_provider_provider_id_idx', ARRAY['provider_id'],
                 'party_provider_provider_id_idx on (provider_id)');
SELECT is((SELECT count(*) FROM pg_index
            WHERE indexrelid IN ('contracts.contract_line_rfq_line_id_idx'::regclass,
                                 'contracts.party_provider_provider_id_idx'::regclass) AND indpred IS NULL), 2::bigint,
          'neither index is partial: they serve every foreign key lookup');

SELECT * FROM finish();
ROLLBACK;
