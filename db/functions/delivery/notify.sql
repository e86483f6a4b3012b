-- Deploy mercato:functions/delivery/notify to pg
-- A one-time code goes to the business through the outbox (docs/outbox.md), in the transaction that issues it: the
-- provider who opens a session or asks for a new code never sees it; the business reads it on its phone or e-mail.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION delivery.send_code(p_session_id bigint, p_channel text,
                                              OUT o_otp_id bigint, OUT o_expires_at timestamptz, OUT o_message_id bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_s         delivery.session;
    v_recipient text;
    v_tenant    bigint;
    v_code      text;
BEGIN
    SELECT * INTO STRICT v_s FROM delivery.session WHERE id = p_session_id;
    -- the business's contact: the phone (SMS) or e-mail (EMAIL) of the user who registered it
    SELECT CASE p_channel WHEN 'SMS' THEN u.phone WHEN 'EMAIL' THEN u.email END, b.tenant_id
      INTO v_recipient, v_tenant
      FROM parties.business b JOIN identity.user_account u ON u.id = b.user_id
     WHERE b.id = v_s.business_id;
    IF v_recipient IS NULL THEN
        PERFORM core.raise('DELIVERY_NO_CONTACT', format('business %s has no %s contact', v_s.business_id,
                                                         CASE p_channel WHEN 'SMS' THEN 'phone' ELSE 'e-mail' END));
    END IF;
    SELECT i.o_code, i.o_expires_at INTO v_code, o_expires_at FROM delivery.issue_code(p_session_id, p_channel) i;
    SELECT o.id INTO STRICT o_otp_id FROM delivery.otp o WHERE o.session_id = p_session_id AND o.status = 'ACTIVE';
    o_message_id := outbox.enqueue(
        p_channel, v_recipient, 'delivery.otp',
        jsonb_build_object('session_id', v_s.id, 'session_type', v_s.session_type, 'expires_at', o_expires_at,
                           'contract_id', (SELECT a.contract_id FROM contracts.assignment a WHERE a.id = v_s.assignment_id),
                           'assignment_id', v_s.assignment_id,
                           'vehicle_plate', (SELECT v.plate_number FROM fleet.vehicle v WHERE v.id = v_s.vehicle_id)),
        jsonb_build_object('code', v_code),
        'delivery.otp:' || o_otp_id,
        v_tenant);
END
$$;
COMMENT ON FUNCTION delivery.send_code(bigint, text) IS
'Internal: issue a new code for the session (delivery.issue_code: the previous one is SUPERSEDED) and enqueue it in the
same transaction — channel SMS to the phone or EMAIL to the e-mail of the user who registered the session''s business,
template delivery.otp, params (session_id, session_type, expires_at, contract_id, assignment_id, vehicle_plate; never
the code), the code as the message''s secret (readable by the claiming sender until SENT or DEAD), dedupe key
delivery.otp:<otp id>, the business''s tenant. Returns the otp id, its expiry and the message id; the code leaves the
database only through the outbox. Errors: DELIVERY_NO_CONTACT (409) before any code is issued. The caller holds the
session''s lock. Assumes READ COMMITTED.';

-- No API role executes it: delivery.start_session and delivery.resend_code (SECURITY DEFINER) call it as the owner.

COMMIT;
