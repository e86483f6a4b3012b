-- Deploy mercato:schemas/payments/webhook_resolution to pg
-- The back office's resolutions of inbound webhook events held for review (docs/payments.md, "Resolving quarantined
-- webhook events"): one append-only row per resolution (REPROCESS or DISMISS, the reason, the event's state before and
-- after, who), audited; the error codes of payments.resolve_webhook_event.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TABLE payments.webhook_resolution (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT webhook_resolution_pkey PRIMARY KEY,
    event_id    bigint NOT NULL CONSTRAINT webhook_resolution_event_id_fkey REFERENCES payments.webhook_event (id),
    action      text NOT NULL CONSTRAINT webhook_resolution_action_check CHECK (action IN ('REPROCESS', 'DISMISS')),
    reason      text NOT NULL CONSTRAINT webhook_resolution_reason_check CHECK (length(btrim(reason)) BETWEEN 3 AND 500),
    from_state  text NOT NULL CONSTRAINT webhook_resolution_from_state_check CHECK (from_state IN ('QUARANTINED', 'FAILED')),
    to_state    text NOT NULL CONSTRAINT webhook_resolution_to_state_check
                CHECK (to_state IN ('PROCESSED', 'IGNORED', 'QUARANTINED')),
    detail      text CONSTRAINT webhook_resolution_detail_check CHECK (length(detail) <= 1000),
    resolved_by bigint CONSTRAINT webhook_resolution_resolved_by_fkey REFERENCES identity.user_account (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.webhook_resolution IS
'One resolution of an inbound webhook event held for review (QUARANTINED, or FAILED) by a payments administrator
(payments.resolve_webhook_event): REPROCESS (the state machine run again on the stored, authenticated event) or
DISMISS (closed, no money moves), the operator''s reason, the event''s processing state before and after, the detail
the state machine gave, who and when. Append-only (webhook_resolution_fixed), audited (audit.track).';
CREATE INDEX webhook_resolution_event_id_idx ON payments.webhook_resolution (event_id);
CREATE INDEX webhook_resolution_resolved_by_idx ON payments.webhook_resolution (resolved_by);
CREATE TRIGGER webhook_resolution_fixed BEFORE UPDATE OR DELETE ON payments.webhook_resolution
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER webhook_resolution_no_truncate BEFORE TRUNCATE ON payments.webhook_resolution
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER webhook_resolution_audit AFTER INSERT ON payments.webhook_resolution
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON payments.webhook_resolution FROM PUBLIC;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_UNKNOWN_WEBHOOK_EVENT', 'payments', 'PT404', 'no such webhook event', NULL,
 'No inbound webhook event with this id.'),
('PAYMENTS_WEBHOOK_EVENT_FINAL', 'payments', 'PT409', 'the webhook event is not awaiting review', NULL,
 'Only QUARANTINED and FAILED events are resolved; PROCESSED, IGNORED (dismissed ones included), DUPLICATE and REFUSED '
 'ones are final. A second resolution of the same event, also a concurrent one, gets this code.'),
('PAYMENTS_WEBHOOK_EVENT_UNPARSED', 'payments', 'PT409', 'the webhook event cannot be reprocessed', NULL,
 'A FAILED event was never authenticated and parsed (its processing rolled back whole), so the state machine has '
 'nothing trustworthy to run on: the provider, answered 500, delivers it again; the operator may only DISMISS it.'),
('PAYMENTS_WEBHOOK_EVENT_FLAGGED', 'payments', 'PT409', 'the webhook event''s instruction is flagged for review', NULL,
 'The rail confirmed another amount or account than the instruction''s (REVIEW; the funding session or withdrawal '
 'FLAGGED): running the state machine again cannot credit an amount the provider did not confirm. The operator '
 'DISMISSes the event; the money is settled with the provider outside this function.');

COMMIT;
