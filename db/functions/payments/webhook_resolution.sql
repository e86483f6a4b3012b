-- Deploy mercato:functions/payments/webhook_resolution to pg
-- The back office resolves inbound webhook events held for review (docs/payments.md, "Resolving quarantined webhook
-- events"): REPROCESS runs the instruction's state machine again on the stored, already authenticated and parsed
-- event (an unknown reference that is known now, a contradiction after the status query answered); DISMISS closes it
-- and moves no money. Both with a reason, recorded in payments.webhook_resolution (audited). An event is applied at
-- most once whatever the resolutions: only QUARANTINED and FAILED events are resolved (under the event's row lock),
-- and the state machine itself never moves a final instruction or completes a session twice (settle_instruction,
-- complete_funding, the ledger's unique references).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.resolve_webhook_event(p_event_id bigint, p_action text, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor     identity.actor;
    v_action    text := upper(btrim(p_action));
    v_event     payments.webhook_event;
    v_rail      payments.rail;
    v_ins_state text;
    v_result    text[];
    v_id        bigint;
BEGIN
    PERFORM identity.require_permission('payments.manage');
    v_actor := identity.current_actor();
    IF v_action IS NULL OR v_action NOT IN ('REPROCESS', 'DISMISS') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'action must be REPROCESS or DISMISS');
    ELSIF (length(btrim(p_reason)) BETWEEN 3 AND 500) IS NOT TRUE THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a resolution needs a reason of 3 to 500 characters');
    END IF;
    -- the event's row lock serializes resolutions of one event: a second one finds it no longer under review
    SELECT * INTO v_event FROM payments.webhook_event WHERE id = p_event_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WEBHOOK_EVENT', format('webhook event %s', p_event_id));
    ELSIF v_event.processing_state NOT IN ('QUARANTINED', 'FAILED') THEN
        PERFORM core.raise('PAYMENTS_WEBHOOK_EVENT_FINAL',
                           format('webhook event %s is %s', p_event_id, v_event.processing_state));
    END IF;

    IF v_action = 'DISMISS' THEN
        v_result := ARRAY['IGNORED', left('dismissed: ' || btrim(p_reason), 1000)];
        UPDATE payments.webhook_event
           SET processing_state = 'IGNORED', error_code = 'DISMISSED', error = v_result[2], processed_at = clock_timestamp()
         WHERE id = p_event_id;
    ELSE
        IF v_event.parsed IS NULL THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_EVENT_UNPARSED',
                               format('webhook event %s was never authenticated and parsed: the provider delivers it again',
                                      p_event_id));
        END IF;
        SELECT i.state INTO v_ins_state FROM payments.rail_instruction i WHERE i.id = v_event.instruction_id;
        IF v_ins_state = 'REVIEW' THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_EVENT_FLAGGED',
                               format('instruction %s is flagged (another amount or account confirmed): dismiss the event',
                                      v_event.instruction_id));
        END IF;
        SELECT * INTO v_rail FROM payments.rail WHERE code = v_event.provider;
        v_result := payments.apply_webhook(p_event_id, v_rail, v_event.parsed);
        UPDATE payments.webhook_event
           SET processing_state = v_result[1], error_code = CASE WHEN v_result[1] = 'QUARANTINED' THEN 'QUARANTINED' END,
               error = left(v_result[2], 1000), processed_at = clock_timestamp()
         WHERE id = p_event_id;
    END IF;
    INSERT INTO payments.webhook_resolution (event_id, action, reason, from_state, to_state, detail, resolved_by)
    VALUES (p_event_id, v_action, btrim(p_reason), v_event.processing_state, v_result[1], left(v_result[2], 1000),
            v_actor.user_id)
    RETURNING id INTO v_id;
    RETURN jsonb_build_object('event_id', p_event_id, 'resolution_id', v_id, 'action', v_action,
                              'from_state', v_event.processing_state, 'state', v_result[1], 'detail', v_result[2],
                              'instruction_id', (SELECT e.instruction_id FROM payments.webhook_event e WHERE e.id = p_event_id));
END
$$;
COMMENT ON FUNCTION payments.resolve_webhook_event(bigint, text, text) IS
'Resolve an inbound webhook event held for review (payments.manage), with a reason (3 to 500 characters), recorded in
payments.webhook_resolution (audited). REPROCESS: the instruction''s state machine (payments.apply_webhook) runs again
on the stored event, authenticated and parsed when it was received: an unknown reference that is known now is applied
(an unsigned callback then asks the status query, as on arrival), a callback whose instruction settled since is
IGNORED when it agrees and QUARANTINED again when it contradicts. It never applies anything twice: a final instruction
never moves, a completed session is never completed again, ledger references are unique. DISMISS: the event is closed
(IGNORED, error_code DISMISSED); no money moves. Refused: an event not QUARANTINED or FAILED
(PAYMENTS_WEBHOOK_EVENT_FINAL, also for a second or concurrent resolution), REPROCESS of a FAILED event never parsed
(PAYMENTS_WEBHOOK_EVENT_UNPARSED: the provider, answered 500, retries it) or of one whose instruction is flagged for an
amount or account mismatch (PAYMENTS_WEBHOOK_EVENT_FLAGGED: the operator may only DISMISS; Mercato never credits an
amount the provider did not confirm). Returns {event_id, resolution_id, action, from_state, state, detail,
instruction_id}. Errors: IDENTITY_PERMISSION_DENIED, PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_WEBHOOK_EVENT and the
three above. Locks the event, then (REPROCESS) the status query, the instruction and its subject; assumes READ
COMMITTED.';

REVOKE ALL ON FUNCTION payments.resolve_webhook_event(bigint, text, text) FROM PUBLIC;

COMMIT;
