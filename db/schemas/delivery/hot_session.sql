-- Deploy mercato:schemas/delivery/hot_session to pg
-- Verifying a session (PENDING -> VERIFIED) becomes a HOT update: no index changes.
--
-- The partial unique index "one live session per assignment and type" named status in its predicate, so the
-- verification wrote new entries into both of the table's indexes. It now reads the stored generated column live,
-- which a verification does not change; the rule is the same. fillfactor leaves each page room for the update.

BEGIN;

ALTER TABLE delivery.session
    SET (fillfactor = 80),
    ADD COLUMN live boolean NOT NULL GENERATED ALWAYS AS (status IN ('PENDING', 'VERIFIED')) STORED;
COMMENT ON COLUMN delivery.session.live IS
'True for a PENDING or VERIFIED session (generated from status): at most one live session per assignment and type.';

DROP INDEX delivery.session_assignment_live_key;
CREATE UNIQUE INDEX session_assignment_live_key ON delivery.session (assignment_id, session_type) WHERE live;

COMMIT;
