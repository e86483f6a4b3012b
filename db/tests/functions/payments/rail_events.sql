-- Tests for functions/payments/rail_events: a funding session or withdrawal of a merchant's wallet reaching its final
-- state is a merchant event (numbered per object, one signed WEBHOOK message per endpoint) in the same transaction; a
-- user's wallet gives none.
BEGIN;
SELECT plan(11);

CREATE TEMP TABLE w AS SELECT tests.rails_world('re') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS text LANGUAGE sql AS $f$ SELECT j ->> k FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE FUNCTION pg_temp.kcb(p_subject text, p_id bigint, p_status text, p_amount text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $f$
DECLARE v_body text; r jsonb;
BEGIN
    SELECT jsonb_build_object('event_id', 'ev-' || i.id || '-' || p_status, 'reference', i.reference, 'status', p_status,
                              'amount', coalesce(p_amount, i.amount::text), 'currency', 'KES', 'account', i.account,
                              'transaction_id', 'TX' || i.id)::text INTO v_body
      FROM payments.rail_instruction i WHERE i.subject_type = p_subject AND i.subject_id = p_id;
    PERFORM tests.as_service();
    r := api.ingest_webhook('KCB', tests.signed_headers(v_body, pg_temp.u('kcb_secret')), v_body);
    PERFORM tests.as_owner();
    RETURN r;
END $f$;
CREATE FUNCTION pg_temp.events(p_type text, p_id bigint) RETURNS text[] LANGUAGE sql AS $f$
    SELECT array_agg(e.event_type || '#' || e.sequence ORDER BY e.id) FROM payments.merchant_event e
     WHERE e.object_type = p_type AND e.object_id = p_id $f$;

SELECT tests.as_user('re-merchant');
SELECT tests.put('ep', (SELECT endpoint_id FROM api.create_webhook_endpoint(pg_temp.u('merchant')::bigint,
                                                                            'https://re.example/hooks', '{*}')));
SELECT tests.put('f1', (api.create_funding_session(pg_temp.u('merchant_wallet')::bigint, 'KCB', 100, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.put('f2', (api.create_funding_session(pg_temp.u('merchant_wallet')::bigint, 'KCB', 50, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.put('f3', (api.create_funding_session(pg_temp.u('merchant_wallet')::bigint, 'KCB', 20, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.events('funding_session', tests.id('f1')), NULL, 'a PENDING session is no event yet');

SELECT is(pg_temp.kcb('FUNDING', tests.id('f1'), 'SUCCEEDED') ->> 'state', 'PROCESSED', 'the bank confirms the top-up');
SELECT is(pg_temp.events('funding_session', tests.id('f1')), ARRAY['funding_session.completed#1'],
          'a completed top-up of a merchant''s wallet is the event funding_session.completed');
SELECT is((SELECT (e.organization_id, e.payload -> 'funding_session' ->> 'status', e.payload ->> 'previous_status',
                   e.payload -> 'funding_session' ->> 'amount')::text
             FROM payments.merchant_event e WHERE e.object_type = 'funding_session' AND e.object_id = tests.id('f1')),
          format('(%s,COMPLETED,PENDING,100)', pg_temp.u('merchant')), 'for its merchant, with the session and the status before');
SELECT is((SELECT (m.channel, m.recipient, m.params -> 'headers' ->> 'Mercato-Event-Sequence')::text
             FROM payments.merchant_event e JOIN payments.webhook_delivery d ON d.event_id = e.id
             JOIN outbox.message m ON m.id = d.message_id
            WHERE e.object_type = 'funding_session' AND e.object_id = tests.id('f1') AND d.endpoint_id = tests.id('ep')),
          '(WEBHOOK,https://re.example/hooks,1)', 'sent to the merchant''s endpoint through the outbox, signed and numbered');

SELECT pg_temp.kcb('FUNDING', tests.id('f2'), 'FAILED');
SELECT is(pg_temp.events('funding_session', tests.id('f2')), ARRAY['funding_session.failed#1'], 'a failed top-up: funding_session.failed');
SELECT pg_temp.kcb('FUNDING', tests.id('f3'), 'SUCCEEDED', '25');
SELECT is(pg_temp.events('funding_session', tests.id('f3')), ARRAY['funding_session.flagged#1'],
          'a flagged top-up (another amount confirmed): funding_session.flagged');

-- expiry by the job
SELECT tests.as_user('re-merchant');
SELECT tests.put('f4', (api.create_funding_session(pg_temp.u('merchant_wallet')::bigint, 'KCB', 10, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.as_owner();
UPDATE payments.funding_session SET expires_at = now() - interval '1 second' WHERE id = tests.id('f4');
SELECT payments.expire_funding_sessions();
SELECT is(pg_temp.events('funding_session', tests.id('f4')), ARRAY['funding_session.expired#1'], 'an expired top-up: funding_session.expired');

-- withdrawals
SELECT tests.as_user('re-merchant');
SELECT tests.put('w1', (api.request_withdrawal(pg_temp.u('merchant_wallet')::bigint, 'KCB', 30, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.put('w2', (api.request_withdrawal(pg_temp.u('merchant_wallet')::bigint, 'KCB', 10, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT pg_temp.kcb('WITHDRAWAL', tests.id('w1'), 'SUCCEEDED');
SELECT pg_temp.kcb('WITHDRAWAL', tests.id('w2'), 'FAILED');
SELECT is(pg_temp.events('withdrawal', tests.id('w1')) || pg_temp.events('withdrawal', tests.id('w2')),
          ARRAY['withdrawal.completed#1', 'withdrawal.failed#1'], 'a withdrawal completed or failed is an event');

-- a user's wallet: no merchant event
SELECT tests.as_user('re-payer');
SELECT tests.put('f5', (api.create_funding_session(pg_temp.u('wallet')::bigint, 'KCB', 10, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.kcb('FUNDING', tests.id('f5'), 'SUCCEEDED') ->> 'state', 'PROCESSED', 'a user''s top-up completes');
SELECT is(pg_temp.events('funding_session', tests.id('f5')), NULL, 'and is no merchant event');

SELECT * FROM finish();
ROLLBACK;
