-- Deploy mercato:schemas/contracts/rls to pg
-- Row-level security on contracts: the business sees its contracts whole; a provider sees the contracts it is party
-- to, but only its own lines, assignments and party snapshot (not another provider's price or commission on a shared
-- contract); a marketplace admin sees contract headers and parties; the back office sees all. Lines and the header's
-- total_amount are sealed: read through contracts.visible_lines() / visible_total_amount() only.

BEGIN;

CREATE FUNCTION contracts.my_contract_ids()
RETURNS bigint[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT coalesce(array_agg(k.id ORDER BY k.id), '{}')
          FROM contracts.contract k
         WHERE k.business_id = parties.my_business_id()
            OR EXISTS (SELECT 1 FROM contracts.party_provider pp
                        WHERE pp.contract_id = k.id AND pp.provider_id = parties.my_provider_id()));
COMMENT ON FUNCTION contracts.my_contract_ids() IS
'The ids of the contracts the calling user''s business or provider is party to (empty for anyone else). For row-level
security policies: (SELECT contracts.my_contract_ids()) is evaluated once per query.';
GRANT EXECUTE ON FUNCTION contracts.my_contract_ids() TO mercato_user, mercato_service;

-- Sealed (core.secret): contract lines carry each provider's price, and a contract's total_amount is the sum of every
-- provider's lines, so a provider on a split award would learn the others' prices from either. No API role holds a
-- privilege on contracts.contract_line nor on contract.total_amount; they are read only through these SECURITY DEFINER
-- functions, which pick the caller's rows first (a row filter would let EXPLAIN count the others).
CREATE FUNCTION contracts.visible_lines()
RETURNS TABLE (id bigint, contract_id bigint, award_id bigint, rfq_line_id bigint, provider_id bigint, vehicle_type text,
               engine_type text, with_driver boolean, quantity integer, unit_price numeric, days integer,
               total_amount numeric, hold_id bigint, escrowed numeric, settled_gross numeric, released numeric)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.contract_id, l.award_id, l.rfq_line_id, l.provider_id, l.vehicle_type, l.engine_type, l.with_driver,
           l.quantity, l.unit_price, l.days, l.total_amount, l.hold_id, l.escrowed, l.settled_gross, l.released
      FROM contracts.contract_line l
     WHERE l.provider_id = parties.my_provider_id()
    UNION ALL
    SELECT l.id, l.contract_id, l.award_id, l.rfq_line_id, l.provider_id, l.vehicle_type, l.engine_type, l.with_driver,
           l.quantity, l.unit_price, l.days, l.total_amount, l.hold_id, l.escrowed, l.settled_gross, l.released
      FROM contracts.contract k JOIN contracts.contract_line l ON l.contract_id = k.id
     WHERE k.business_id = parties.my_business_id()
    UNION ALL
    SELECT l.id, l.contract_id, l.award_id, l.rfq_line_id, l.provider_id, l.vehicle_type, l.engine_type, l.with_driver,
           l.quantity, l.unit_price, l.days, l.total_amount, l.hold_id, l.escrowed, l.settled_gross, l.released
      FROM contracts.contract_line l
     WHERE identity.is_service();
END;
COMMENT ON FUNCTION contracts.visible_lines() IS
'Contract lines the caller may see: every line of the business''s contracts, a provider''s own lines, all for the back
office. Sealed read behind api.contract_lines.';

CREATE FUNCTION contracts.visible_total_amount(p_contract_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT k.total_amount FROM contracts.contract k
         WHERE k.id = p_contract_id
           AND (identity.is_service() OR k.business_id = parties.my_business_id() OR parties.is_marketplace_admin()));
COMMENT ON FUNCTION contracts.visible_total_amount(bigint) IS
'A contract''s total_amount for its business, a marketplace admin and the back office; NULL for anyone else — a
provider on a split award would otherwise learn the other providers'' prices (it has its own lines).';

GRANT EXECUTE ON FUNCTION contracts.visible_lines(), contracts.visible_total_amount(bigint) TO mercato_user, mercato_service;

ALTER TABLE contracts.contract ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.party_business ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.party_provider ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.contract_line ENABLE ROW LEVEL SECURITY;   -- sealed: no policy, no privilege
ALTER TABLE contracts.assignment ENABLE ROW LEVEL SECURITY;

CREATE POLICY contract_service ON contracts.contract FOR SELECT TO mercato_service USING (true);
CREATE POLICY party_business_service ON contracts.party_business FOR SELECT TO mercato_service USING (true);
CREATE POLICY party_provider_service ON contracts.party_provider FOR SELECT TO mercato_service USING (true);
CREATE POLICY assignment_service ON contracts.assignment FOR SELECT TO mercato_service USING (true);

CREATE POLICY contract_party ON contracts.contract FOR SELECT TO mercato_user
    USING (id = ANY ((SELECT contracts.my_contract_ids())::bigint[]) OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY party_business_party ON contracts.party_business FOR SELECT TO mercato_user
    USING (contract_id = ANY ((SELECT contracts.my_contract_ids())::bigint[]) OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY party_provider_party ON contracts.party_provider FOR SELECT TO mercato_user
    USING (provider_id = (SELECT parties.my_provider_id())
           OR EXISTS (SELECT 1 FROM contracts.contract k
                       WHERE k.id = party_provider.contract_id AND k.business_id = (SELECT parties.my_business_id()))
           OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY assignment_party ON contracts.assignment FOR SELECT TO mercato_user
    USING (provider_id = (SELECT parties.my_provider_id())
           OR EXISTS (SELECT 1 FROM contracts.contract k
                       WHERE k.id = assignment.contract_id AND k.business_id = (SELECT parties.my_business_id())));

GRANT SELECT ON contracts.party_business, contracts.party_provider, contracts.assignment TO mercato_user, mercato_service;
-- Every contract column but total_amount (read it through contracts.visible_total_amount).
GRANT SELECT (id, contract_number, rfq_id, business_id, currency, start_date, end_date, status,
              commission_policy_version_id, business_wallet_account_id, created_at, activated_at, ended_at, end_reason)
    ON contracts.contract TO mercato_user, mercato_service;

COMMIT;
