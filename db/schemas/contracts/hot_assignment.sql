-- Deploy mercato:schemas/contracts/hot_assignment to pg
-- Starting an assignment (PENDING_DELIVERY -> ACTIVE, the verified handover) becomes a HOT update: no index changes.
--
-- PostgreSQL can update a row in place on its page (a heap-only tuple, no new index entries) only when no indexed
-- column changes value, and a column in a partial index's predicate counts as indexed. The exclusion constraint's
-- predicate and the provider index used to name status, so every start wrote five index entries, among them a GiST
-- insertion with its overlap search. The predicate now reads the stored generated column live, which a start does
-- not change; the rule it enforces is exactly the same. fillfactor leaves each page room for the updated row.

BEGIN;

ALTER TABLE contracts.assignment
    SET (fillfactor = 80),
    ADD COLUMN live boolean NOT NULL GENERATED ALWAYS AS (status IN ('PENDING_DELIVERY', 'ACTIVE')) STORED;
COMMENT ON COLUMN contracts.assignment.live IS
'True while the assignment books its vehicle (PENDING_DELIVERY or ACTIVE); generated from status. The overlap rule
applies to live assignments only.';

ALTER TABLE contracts.assignment
    DROP CONSTRAINT assignment_vehicle_no_overlap_excl,
    ADD CONSTRAINT assignment_vehicle_no_overlap_excl EXCLUDE USING gist (vehicle_id WITH =, period WITH &&) WHERE (live);

DROP INDEX contracts.assignment_provider_id_idx;
CREATE INDEX assignment_provider_id_idx ON contracts.assignment (provider_id);

COMMIT;
