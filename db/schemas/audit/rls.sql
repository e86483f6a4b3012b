-- Deploy mercato:schemas/audit/rls to pg
-- Row-level security on the audit trail: it records every party's changes, so only the back office reads it.

BEGIN;

ALTER TABLE audit.event ENABLE ROW LEVEL SECURITY;
-- The events that say who bid on what are sealed like the bids (core.secret): the back office reads every other event.
CREATE POLICY event_service ON audit.event FOR SELECT TO mercato_service
    USING (NOT (event.module = 'marketplace' AND (event.entity_type = 'bid' OR event.action = 'BID_WITHDRAWN')));

COMMIT;
