-- Tests for functions/delivery/notify: issuing a code enqueues its message in the same transaction — to the business's
-- phone, template delivery.otp, params without the code, the code as the message's secret (matching the stored keyed
-- hash), one dedupe key per issued code — and the secret is gone once a sender reports the message SENT.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service, mercato_sender;
INSERT INTO ids SELECT * FROM tests.assigned_world('dn');
INSERT INTO ids SELECT 'sess', session_id FROM tests.delivery_session('kc|dn-p1', (SELECT v FROM ids WHERE k = 'asg'));

CREATE TEMP VIEW otp_message AS
SELECT m.*, o.id AS otp_id, o.key_id, o.code_hmac, ms.secret
  FROM outbox.message m
  JOIN delivery.otp o ON m.dedupe_key = 'delivery.otp:' || o.id
  LEFT JOIN outbox.message_secret ms ON ms.message_id = m.id
 WHERE o.session_id = (SELECT v FROM ids WHERE k = 'sess');

SELECT results_eq($$SELECT channel, recipient, template, state, tenant_id FROM otp_message$$,
                  $$VALUES ('SMS', tests.phone_of('kc|dn-biz'), 'delivery.otp', 'PENDING', NULL::bigint)$$,
                  'one SMS message to the business''s phone, PENDING, keyed delivery.otp:<otp id>');
SELECT is((SELECT array_agg(key ORDER BY key) FROM otp_message, jsonb_object_keys(params) key),
          ARRAY['assignment_id', 'contract_id', 'expires_at', 'session_id', 'session_type', 'vehicle_plate'],
          'its params name the session, the contract and the vehicle');
SELECT ok((SELECT position(secret ->> 'code' IN params::text) = 0 FROM otp_message), 'and never the code');
SELECT ok((SELECT delivery.code_hmac(key_id, (SELECT v FROM ids WHERE k = 'sess'), secret ->> 'code') = code_hmac FROM otp_message),
          'the secret is the issued code (its keyed hash is the one stored)');
SELECT ok((SELECT params ->> 'vehicle_plate' = 'DN 1' AND (params ->> 'contract_id')::bigint = (SELECT v FROM ids WHERE k = 'contract')
             FROM otp_message), 'the vehicle plate and the contract id are the session''s');

-- a second code for the session: a new message under a new key
SELECT is((SELECT count(DISTINCT m.id)::int FROM (SELECT (delivery.send_code((SELECT v FROM ids WHERE k = 'sess'), 'SMS')).o_message_id AS id) m
            WHERE m.id <> (SELECT id FROM otp_message WHERE otp_id = (SELECT min(otp_id) FROM otp_message))), 1,
          'each issued code has its own message');
SELECT is((SELECT count(*)::int FROM otp_message), 2, 'two codes, two messages');

-- the sender receives the code, then it is gone
SELECT tests.as_sender();
CREATE TEMP TABLE claimed AS SELECT * FROM api.outbox_claim('SMS', 10, 60, 'pgtap');
SELECT ok((SELECT bool_and(api.outbox_report_sent(id, lease_token)) FROM claimed), 'the sender reports the messages sent');
RESET ROLE;
SELECT ok((SELECT bool_and(state = 'SENT' AND secret IS NULL) FROM otp_message), 'once SENT the code is gone from the outbox');

SELECT * FROM finish();
ROLLBACK;
