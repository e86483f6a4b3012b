-- Deploy mercato:schemas/contracts/rls to pg
-- Row-level security on contracts: the business sees its contracts whole; a provider sees the contracts it is party
-- to, but only its own lines, assignments and party snapshot (not another provider's price or commission on a shared
-- contract); a marketplace admin sees contract headers and parties; the back office sees all.

BEGIN;

CREATE FUNCTION contracts.my_contract_ids()
RETURNS bigint[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT coalesce(array_agg(k.id ORDER BY k.id), '{}')
          FROM contracts.contract k
         WHERE k.business_id = identity.my_business_id()
            OR EXISTS (SELECT 1 FROM contracts.party_provider pp
                        WHERE pp.contract_id = k.id AND pp.provider_id = identity.my_provider_id()));
COMMENT ON FUNCTION contracts.my_contract_ids() IS
'The ids of the contracts the calling user''s business or provider is party to (empty for anyone else). For row-level
security policies: (SELECT contracts.my_contract_ids()) is evaluated once per query.';
GRANT EXECUTE ON FUNCTION contracts.my_contract_ids() TO mercato_user, mercato_service;

ALTER TABLE contracts.contract ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.party_business ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.party_provider ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.contract_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.assignment ENABLE ROW LEVEL SECURITY;

CREATE POLICY contract_service ON contracts.contract FOR SELECT TO mercato_service USING (true);
CREATE POLICY party_business_service ON contracts.party_business FOR SELECT TO mercato_service USING (true);
CREATE POLICY party_provider_service ON contracts.party_provider FOR SELECT TO mercato_service USING (true);
CREATE POLICY contract_line_service ON contracts.contract_line FOR SELECT TO mercato_service USING (true);
CREATE POLICY assignment_service ON contracts.assignment FOR SELECT TO mercato_service USING (true);

CREATE POLICY contract_party ON contracts.contract FOR SELECT TO mercato_user
    USING (id = ANY ((SELECT contracts.my_contract_ids())::bigint[]) OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY party_business_party ON contracts.party_business FOR SELECT TO mercato_user
    USING (contract_id = ANY ((SELECT contracts.my_contract_ids())::bigint[]) OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY party_provider_party ON contracts.party_provider FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id())
           OR EXISTS (SELECT 1 FROM contracts.contract k
                       WHERE k.id = contract_id AND k.business_id = (SELECT identity.my_business_id()))
           OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY contract_line_party ON contracts.contract_line FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id())
           OR EXISTS (SELECT 1 FROM contracts.contract k
                       WHERE k.id = contract_id AND k.business_id = (SELECT identity.my_business_id())));
CREATE POLICY assignment_party ON contracts.assignment FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id())
           OR EXISTS (SELECT 1 FROM contracts.contract k
                       WHERE k.id = contract_id AND k.business_id = (SELECT identity.my_business_id())));

GRANT SELECT ON contracts.contract, contracts.party_business, contracts.party_provider, contracts.contract_line,
    contracts.assignment TO mercato_user, mercato_service;

COMMIT;
