-- Deploy mercato:functions/payments/movello_wallets to pg
-- Movello on the rails (issue 19): its businesses and providers already have MAIN ledger wallets (opened by
-- parties.register_business / register_provider); they become payments wallets of their organizations, so that a
-- business tops up its own wallet through a funding session and a provider withdraws settlement proceeds through a
-- withdrawal, with the same functions, members acting by their organization role (ADMIN/OWNER). Existing ones are
-- registered here; new ones by a trigger whoever writes the wallet (registration stays untouched: released).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.register_party_wallet_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.wallet_account_id IS NOT NULL THEN
        PERFORM payments.register_wallet(NEW.wallet_account_id, NEW.organization_id);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.register_party_wallet_trg() IS
'Trigger on parties.business and parties.provider: once a party has its MAIN wallet, the wallet is registered as its
organization''s payments wallet (payments.register_wallet, idempotent), so funding sessions and withdrawals serve
Movello''s parties as any organization''s.';

CREATE TRIGGER business_payments_wallet AFTER INSERT OR UPDATE OF wallet_account_id ON parties.business
    FOR EACH ROW EXECUTE FUNCTION payments.register_party_wallet_trg();
CREATE TRIGGER provider_payments_wallet AFTER INSERT OR UPDATE OF wallet_account_id ON parties.provider
    FOR EACH ROW EXECUTE FUNCTION payments.register_party_wallet_trg();

-- the parties registered before this change
SELECT payments.register_wallet(b.wallet_account_id, b.organization_id)
  FROM parties.business b WHERE b.wallet_account_id IS NOT NULL ORDER BY b.id;
SELECT payments.register_wallet(p.wallet_account_id, p.organization_id)
  FROM parties.provider p WHERE p.wallet_account_id IS NOT NULL ORDER BY p.id;

REVOKE ALL ON FUNCTION payments.register_party_wallet_trg() FROM PUBLIC;

COMMIT;
