-- Revert mercato:schemas/marketplace/rls from pg

BEGIN;

REVOKE SELECT ON marketplace.rfq, marketplace.rfq_line, marketplace.rfq_quota FROM mercato_user, mercato_service;
REVOKE SELECT (id, business_id, title, description, currency, start_date, end_date, bid_deadline, status, published_at,
               awarded_at, created_at, updated_at) ON marketplace.rfq FROM mercato_user, mercato_service;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'marketplace' LOOP
        EXECUTE format('DROP POLICY %I ON marketplace.%I', r.policyname, r.tablename);
    END LOOP;
END $$;
ALTER TABLE marketplace.rfq DISABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.rfq_line DISABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.bid DISABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.bid_line DISABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.award DISABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.rfq_quota DISABLE ROW LEVEL SECURITY;
DROP FUNCTION marketplace.open_to_me(bigint);
DROP FUNCTION marketplace.visible_awards();
DROP FUNCTION marketplace.visible_bid_lines();
DROP FUNCTION marketplace.my_bid_rfq_ids();

COMMIT;
