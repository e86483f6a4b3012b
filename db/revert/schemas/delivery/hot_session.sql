-- Revert mercato:schemas/delivery/hot_session from pg

BEGIN;

DROP INDEX delivery.session_assignment_live_key;
CREATE UNIQUE INDEX session_assignment_live_key ON delivery.session (assignment_id, session_type)
    WHERE status IN ('PENDING', 'VERIFIED');

ALTER TABLE delivery.session DROP COLUMN live, RESET (fillfactor);

COMMIT;
