-- Tests for functions/payments/webhook_resolution: the back office resolves quarantined and failed webhook events.
-- REPROCESS applies an event whose reference is known now (once), leaves a contradiction quarantined, never applies
-- anything twice; a flagged amount mismatch may only be dismissed and is never credited; DISMISS closes without money;
-- final events are refused; every resolution is recorded with its reason and actor, and audited.
BEGIN;
SELECT plan(33);

CREATE TEMP TABLE w AS SELECT tests.rails_world('wr') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS text LANGUAGE sql AS $f$ SELECT j ->> k FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE FUNCTION pg_temp.mp(p_body text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE r jsonb;
BEGIN
    PERFORM tests.as_service();
    r := api.ingest_webhook('MPESA', tests.mpesa_headers(pg_temp.u('token')), p_body);
    PERFORM tests.as_owner();
    RETURN r;
END $f$;
CREATE FUNCTION pg_temp.ins(p_id bigint) RETURNS bigint LANGUAGE sql AS $f$
    SELECT id FROM payments.rail_instruction WHERE subject_type = 'FUNDING' AND subject_id = p_id $f$;
CREATE FUNCTION pg_temp.fund(p_amount numeric) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE v bigint;
BEGIN
    PERFORM tests.as_user('wr-payer');
    v := (api.create_funding_session(pg_temp.u('wallet')::bigint, 'MPESA', p_amount, '254712345678') ->> 'id')::bigint;
    PERFORM tests.as_owner();
    RETURN v;
END $f$;
CREATE FUNCTION pg_temp.resolve(p_event bigint, p_action text, p_reason text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE r jsonb;
BEGIN
    PERFORM tests.as_user('wr-admin');
    r := api.resolve_webhook_event(p_event, p_action, p_reason);
    PERFORM tests.as_owner();
    RETURN r;
END $f$;
CREATE FUNCTION pg_temp.state(p_event bigint) RETURNS text LANGUAGE sql AS $f$
    SELECT processing_state FROM payments.webhook_event WHERE id = p_event $f$;

-- An STK callback that overtakes the provider's synchronous answer: its CheckoutRequestID is unknown yet ----------------
SELECT tests.put('s1', pg_temp.fund(100));
SELECT tests.put('e1', (pg_temp.mp(tests.stk_callback('ws_CO_R1', 0, 100, 'RCPTR1')) ->> 'event_id')::bigint);
SELECT is(pg_temp.state(tests.id('e1')), 'QUARANTINED', 'a callback naming an unknown CheckoutRequestID is quarantined');

-- who may resolve, and what
SELECT tests.as_user('wr-payer');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e1'), 'REPROCESS', 'mine'),
                   'IDENTITY_PERMISSION_DENIED:%', 'a user without payments.manage resolves nothing');
SELECT tests.as_user('wr-admin');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e1'), 'APPLY', 'because'),
                   'PAYMENTS_INVALID_INPUT:%', 'the action is REPROCESS or DISMISS');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e1'), 'REPROCESS', '  '),
                   'PAYMENTS_INVALID_INPUT:%', 'a resolution needs a reason');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, NULL)', tests.id('e1'), 'DISMISS'),
                   'PAYMENTS_INVALID_INPUT:%', 'a NULL reason is refused');
SELECT throws_like('SELECT api.resolve_webhook_event(-1, ''DISMISS'', ''no such event'')',
                   'PAYMENTS_UNKNOWN_WEBHOOK_EVENT:%', 'an unknown event is 404');
SELECT tests.as_owner();

-- reprocessed while the reference is still unknown: it stays for review, nothing moves
SELECT is(pg_temp.resolve(tests.id('e1'), 'REPROCESS', 'retry before the ack') ->> 'state', 'QUARANTINED',
          'reprocessed while the reference is still unknown, the event stays quarantined');

-- the provider's answer arrives: now the reference is known
SELECT tests.rail_ack(pg_temp.ins(tests.id('s1')), '{"MerchantRequestID": "mr-r1", "CheckoutRequestID": "ws_CO_R1", "ResponseCode": "0"}');
SELECT is(pg_temp.resolve(tests.id('e1'), 'REPROCESS', 'the CheckoutRequestID is known now') ->> 'state', 'PROCESSED',
          'reprocessed once the reference is known, the callback is applied');
SELECT is((SELECT (i.state, e.instruction_id = i.id)::text FROM payments.webhook_event e
             JOIN payments.rail_instruction i ON i.id = pg_temp.ins(tests.id('s1')) WHERE e.id = tests.id('e1')),
          '(AWAITING_CONFIRMATION,t)', 'an unsigned callback reprocessed is still only a claim: the status query is asked');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1000::numeric, 'nothing is credited on the reprocessed callback alone');
SELECT is(pg_temp.mp(tests.status_answer(pg_temp.ins(tests.id('s1')), 'Completed')) ->> 'state', 'PROCESSED',
          'the status query confirms');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint),
          1000 + (SELECT amount - fee FROM payments.funding_session WHERE id = tests.id('s1')),
          'the top-up is credited once');

-- an event already resolved (now PROCESSED) can never be applied again
SELECT tests.as_user('wr-admin');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e1'), 'REPROCESS', 'again'),
                   'PAYMENTS_WEBHOOK_EVENT_FINAL:%', 'a processed event cannot be reprocessed');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e1'), 'DISMISS', 'again'),
                   'PAYMENTS_WEBHOOK_EVENT_FINAL:%', 'nor dismissed');
SELECT tests.as_owner();

-- a contradiction after the settlement: reprocessing cannot apply it, only a dismissal closes it -----------------------
SELECT tests.put('e2', (pg_temp.mp(tests.stk_callback('ws_CO_R1', 1032)) ->> 'event_id')::bigint);
SELECT is(pg_temp.state(tests.id('e2')), 'QUARANTINED', 'a failure callback after the success is a contradiction');
SELECT is(pg_temp.resolve(tests.id('e2'), 'REPROCESS', 'look again') ->> 'state', 'QUARANTINED',
          'reprocessed, the contradiction is quarantined again');
SELECT is((SELECT status FROM payments.funding_session WHERE id = tests.id('s1')), 'COMPLETED',
          'the completed session does not move');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint),
          1000 + (SELECT amount - fee FROM payments.funding_session WHERE id = tests.id('s1')),
          'a reprocessed contradiction moves no money');
SELECT is(pg_temp.resolve(tests.id('e2'), 'DISMISS', 'the customer cancelled a second, unrelated push') - 'resolution_id'
          - 'detail' - 'event_id',
          jsonb_build_object('action', 'DISMISS', 'from_state', 'QUARANTINED', 'state', 'IGNORED',
                             'instruction_id', pg_temp.ins(tests.id('s1'))),
          'DISMISS closes the event');
SELECT is((SELECT (processing_state, error_code)::text FROM payments.webhook_event WHERE id = tests.id('e2')),
          '(IGNORED,DISMISSED)', 'a dismissed event is IGNORED with error code DISMISSED');

-- a flagged amount mismatch: never credited, only dismissed ---------------------------------------------------------
SELECT tests.put('s3', pg_temp.fund(200));
SELECT tests.rail_ack(pg_temp.ins(tests.id('s3')), '{"MerchantRequestID": "mr-r3", "CheckoutRequestID": "ws_CO_R3", "ResponseCode": "0"}');
SELECT pg_temp.mp(tests.stk_callback('ws_CO_R3', 0, 200, 'RCPTR3'));
SELECT tests.put('bal3', tests.balance(pg_temp.u('wallet')::bigint)::bigint);
SELECT tests.put('e3', (pg_temp.mp(tests.status_answer(pg_temp.ins(tests.id('s3')), 'Completed', 150)) ->> 'event_id')::bigint);
SELECT is((SELECT (e.processing_state, f.status)::text FROM payments.webhook_event e, payments.funding_session f
            WHERE e.id = tests.id('e3') AND f.id = tests.id('s3')),
          '(QUARANTINED,FLAGGED)', 'the provider confirmed 150 for a 200 session: flagged, the event quarantined');
SELECT tests.as_user('wr-admin');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e3'), 'REPROCESS', 'credit it'),
                   'PAYMENTS_WEBHOOK_EVENT_FLAGGED:%', 'a flagged mismatch cannot be reprocessed');
SELECT tests.as_owner();
SELECT is(pg_temp.resolve(tests.id('e3'), 'DISMISS', 'refund of 150 arranged with Safaricom') ->> 'state', 'IGNORED',
          'the operator dismisses the flagged event');
SELECT is((SELECT status FROM payments.funding_session WHERE id = tests.id('s3')), 'FLAGGED',
          'the session stays FLAGGED');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint)::bigint, tests.id('bal3'),
          'neither the confirmed 150 nor the asked 200 is credited');

-- a FAILED event never parsed cannot be reprocessed (the provider retries it); it may be dismissed -------------------
INSERT INTO payments.webhook_event (provider, body, processing_state, error_code, error)
VALUES ('MPESA', '{}', 'FAILED', 'XX000', 'boom');
SELECT tests.put('e4', currval(pg_get_serial_sequence('payments.webhook_event', 'id')));
SELECT tests.as_user('wr-admin');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e4'), 'REPROCESS', 'try again'),
                   'PAYMENTS_WEBHOOK_EVENT_UNPARSED:%', 'a failed, never parsed event cannot be reprocessed');
SELECT tests.as_owner();
SELECT is(pg_temp.resolve(tests.id('e4'), 'DISMISS', 'the provider delivered it again') ->> 'from_state', 'FAILED',
          'a failed event may be dismissed');

-- refused and duplicate events are final
SELECT tests.put('e5', (pg_temp.mp('not json') ->> 'event_id')::bigint);
SELECT tests.as_user('wr-admin');
SELECT throws_like(format('SELECT api.resolve_webhook_event(%s, %L, %L)', tests.id('e5'), 'DISMISS', 'noise'),
                   'PAYMENTS_WEBHOOK_EVENT_FINAL:%', 'a REFUSED event is final');
SELECT tests.as_owner();

-- the record: every resolution with its reason, states and actor, audited --------------------------------------------
SELECT is((SELECT count(*) FROM payments.webhook_resolution r
            JOIN identity.user_account u ON u.id = r.resolved_by AND u.auth_subject = 'wr-admin'), 6::bigint,
          'each resolution is recorded with the operator');
SELECT is((SELECT array_agg(r.action || ':' || r.from_state || '>' || r.to_state ORDER BY r.id)
             FROM payments.webhook_resolution r WHERE r.event_id = tests.id('e1')),
          ARRAY['REPROCESS:QUARANTINED>QUARANTINED', 'REPROCESS:QUARANTINED>PROCESSED'],
          'the event''s resolutions, in order');
SELECT is((SELECT count(*) FROM audit.event a WHERE a.entity_type = 'payments.webhook_resolution' AND a.actor_subject = 'wr-admin'), 6::bigint,
          'every resolution is in the audit log');
SELECT throws_like('UPDATE payments.webhook_resolution SET reason = ''rewritten''', 'PAYMENTS_IMMUTABLE:%',
                   'a resolution is never rewritten');
SELECT ok(NOT has_table_privilege('mercato_user', 'payments.webhook_resolution', 'SELECT')
          AND NOT has_table_privilege('mercato_service', 'payments.webhook_resolution', 'SELECT'),
          'no API role reads the resolutions table');

SELECT * FROM finish();
ROLLBACK;
