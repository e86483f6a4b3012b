-- Deploy mercato:functions/payments/rail_events to pg
-- Merchants hear about their own wallets' money movements (docs/payments.md, "Merchant events of top-ups and
-- withdrawals"): when a funding session or a withdrawal of a wallet owned by a MERCHANT organization reaches its final
-- state, payments.emit_merchant_event records funding_session.<status> / withdrawal.<status> (numbered per object,
-- signed, through the outbox) in the same transaction. One trigger function per table (plpgsql_check reads NEW with
-- the table's row type).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.funding_session_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(w.organization_id, 'funding_session', NEW.id,
                                         'funding_session.' || lower(NEW.status),
                                         jsonb_build_object('funding_session', payments.funding_json(NEW),
                                                            'previous_status', OLD.status))
       FROM payments.wallet w JOIN identity.organization o ON o.id = w.organization_id AND o.kind = 'MERCHANT'
      WHERE w.account_id = NEW.wallet_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.funding_session_emit_trg() IS
'Trigger (AFTER UPDATE OF status on payments.funding_session, from PENDING to a final state): when the wallet belongs
to a MERCHANT organization, the merchant event funding_session.<completed|failed|expired|flagged> with the session (as
the API answers it) and its previous status, through payments.emit_merchant_event in the same transaction. A user''s
or another organization''s wallet: nothing.';

CREATE TRIGGER funding_session_emit AFTER UPDATE OF status ON payments.funding_session
    FOR EACH ROW WHEN (OLD.status = 'PENDING' AND NEW.status <> 'PENDING')
    EXECUTE FUNCTION payments.funding_session_emit_trg();

CREATE OR REPLACE FUNCTION payments.withdrawal_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(w.organization_id, 'withdrawal', NEW.id, 'withdrawal.' || lower(NEW.status),
                                         jsonb_build_object('withdrawal', payments.withdrawal_json(NEW),
                                                            'previous_status', OLD.status))
       FROM payments.wallet w JOIN identity.organization o ON o.id = w.organization_id AND o.kind = 'MERCHANT'
      WHERE w.account_id = NEW.wallet_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.withdrawal_emit_trg() IS
'Trigger (AFTER UPDATE OF status on payments.withdrawal, to a final state: from PENDING, or from FLAGGED by the back
office''s review): when the wallet belongs to a
MERCHANT organization, the merchant event withdrawal.<completed|failed|flagged> with the withdrawal (as the API answers
it) and its previous status, through payments.emit_merchant_event in the same transaction.';

CREATE TRIGGER withdrawal_emit AFTER UPDATE OF status ON payments.withdrawal
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status <> 'PENDING')
    EXECUTE FUNCTION payments.withdrawal_emit_trg();

REVOKE ALL ON FUNCTION payments.funding_session_emit_trg(), payments.withdrawal_emit_trg() FROM PUBLIC;

COMMIT;
