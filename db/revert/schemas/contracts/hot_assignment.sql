-- Revert mercato:schemas/contracts/hot_assignment from pg

BEGIN;

DROP INDEX contracts.assignment_provider_id_idx;
CREATE INDEX assignment_provider_id_idx ON contracts.assignment (provider_id, status);

ALTER TABLE contracts.assignment
    DROP CONSTRAINT assignment_vehicle_no_overlap_excl,
    ADD CONSTRAINT assignment_vehicle_no_overlap_excl EXCLUDE USING gist (vehicle_id WITH =, period WITH &&)
        WHERE (status IN ('PENDING_DELIVERY', 'ACTIVE'));

ALTER TABLE contracts.assignment DROP COLUMN live, RESET (fillfactor);

COMMIT;
