-- Helpers shared by the pgTAP files (db/tests/**) and by Python tests that act as a caller in SQL. Installed into test
-- databases only, never by the plan: by py/tests/conftest.py into pytest's template and by `make test-pgprove`.
-- Idempotent. Schema tests; every role may execute them (an API-role session calls them to switch caller).

CREATE SCHEMA IF NOT EXISTS tests;
COMMENT ON SCHEMA tests IS 'Test helpers (db/test_helpers.sql): installed in test databases only.';
GRANT USAGE ON SCHEMA tests TO PUBLIC;

CREATE OR REPLACE FUNCTION tests.as_user(p_sub text)
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', json_build_object('sub', p_sub, 'role', 'mercato_user')::text, true);
    SET LOCAL ROLE mercato_user;
$$;
COMMENT ON FUNCTION tests.as_user(text) IS
'Act as the user whose JWT "sub" is p_sub for the rest of the transaction, exactly as PostgREST does for its request:
request.jwt.claims set locally, then SET LOCAL ROLE mercato_user. RESET ROLE returns to the test''s own role.';

CREATE OR REPLACE FUNCTION tests.as_service()
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', json_build_object('role', 'mercato_service')::text, true);
    SET LOCAL ROLE mercato_service;
$$;
COMMENT ON FUNCTION tests.as_service() IS
'Act as the back office (a mercato_service JWT) for the rest of the transaction, as PostgREST does.';

CREATE OR REPLACE FUNCTION tests.as_anon()
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', '', true);
    SET LOCAL ROLE mercato_anon;
$$;
COMMENT ON FUNCTION tests.as_anon() IS
'Act as an anonymous caller (no JWT: mercato_anon, no claims) for the rest of the transaction, as PostgREST does.';

CREATE OR REPLACE FUNCTION tests.as_sender()
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', '', true);
    SET LOCAL ROLE mercato_sender;
$$;
COMMENT ON FUNCTION tests.as_sender() IS
'Act as an outbox sender (a login role granted mercato_sender, no claims) for the rest of the transaction.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: contracts and settlement ----------------------------------------------------------------------------------
-- Builders of the worlds the contracts, settlement, delivery and rls tests start from. Each acts through the modules'
-- api functions as the caller a real request would have (the party itself, the back office), and returns the ids.
-- Call them as the test's own role (the owner): they switch caller inside and end acting as that role again
-- (tests.as_owner). What no api can write, because it lies in the past by the database clock (an awarded RFQ with its bids, a
-- handover days ago), is loaded as history and says so.

CREATE OR REPLACE FUNCTION tests.put(p_k text, p_v bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_temp.fixture_id') IS NULL THEN
        CREATE TEMP TABLE fixture_id (k text PRIMARY KEY, v bigint);
        GRANT SELECT, INSERT, UPDATE ON pg_temp.fixture_id TO PUBLIC;
    END IF;
    INSERT INTO pg_temp.fixture_id (k, v) VALUES (p_k, p_v) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
    RETURN p_v;
END
$$;
COMMENT ON FUNCTION tests.put(text, bigint) IS
'Remember a fixture id under a name for the rest of the transaction (a temporary table every role may read and write,
so a test acting as an API role can still name and keep its fixtures). Returns p_v.';

CREATE OR REPLACE FUNCTION tests.id(p_k text)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v bigint;
BEGIN
    SELECT f.v INTO v FROM pg_temp.fixture_id f WHERE f.k = p_k;
    IF NOT FOUND THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', format('no fixture id named %s (tests.put)', p_k));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION tests.id(text) IS
'The fixture id remembered under p_k by tests.put; an unknown name is an error, not NULL (a typo must not make a
refusal test pass).';

CREATE OR REPLACE FUNCTION tests.as_owner()
RETURNS void
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT set_config('request.jwt.claims', '', true);
    SELECT set_config('role', 'none', true);
$$;
COMMENT ON FUNCTION tests.as_owner() IS
'Act as the test''s own session role again (no claims, no SET ROLE) for the rest of the transaction, as RESET ROLE
does; the fixture builders end with it.';

CREATE OR REPLACE FUNCTION tests.verified_business(p_subject text, p_wallet_amount numeric DEFAULT 0,
                                                   p_name text DEFAULT NULL, p_business_type text DEFAULT 'RETAIL',
                                                   OUT business_id bigint, OUT wallet_account_id bigint,
                                                   OUT user_id bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    business_id := tests.new_business(p_subject, p_name, p_business_type => p_business_type);
    IF p_wallet_amount > 0 THEN
        PERFORM tests.as_service();
        PERFORM api.top_up_business(business_id, p_wallet_amount, format('tests:top-up:%s', p_subject));
        PERFORM tests.as_owner();
    END IF;
    SELECT b.wallet_account_id, b.user_id INTO wallet_account_id, user_id FROM parties.business b WHERE b.id = business_id;
END
$$;
COMMENT ON FUNCTION tests.verified_business(text, numeric, text, text) IS
'A verified business of user p_subject (tests.new_business: STANDARD, a MAIN wallet in MARKETPLACE_CURRENCY), its
wallet topped up with p_wallet_amount from the bank CLEARING account (api.top_up_business, reference
tests:top-up:<subject>) when positive. Returns the business, its wallet and its user.';

CREATE OR REPLACE FUNCTION tests.verified_insurance(p_provider_subject text, p_vehicle_id bigint, p_from date, p_to date,
                                                    p_insurance_type text DEFAULT 'COMPREHENSIVE',
                                                    p_company text DEFAULT 'Nyala Insurance')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user(p_provider_subject);
    v_id := api.add_vehicle_insurance(p_vehicle_id, p_insurance_type, p_company, p_from, p_to, 'https://example.test/cert');
    PERFORM tests.as_service();
    PERFORM api.verify_insurance(v_id, 'VERIFIED');
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.verified_insurance(text, bigint, date, date, text, text) IS
'An insurance policy covering [p_from, p_to] filed by the vehicle''s provider (api.add_vehicle_insurance) and
VERIFIED by the back office. Returns its id.';

CREATE OR REPLACE FUNCTION tests.insured_vehicle(p_provider_subject text, p_plate text, p_vehicle_type text DEFAULT 'SEDAN',
                                                 p_engine_type text DEFAULT NULL, p_status text DEFAULT 'ACTIVE',
                                                 p_insured_from date DEFAULT current_date - 60,
                                                 p_insured_to date DEFAULT current_date + 60)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user(p_provider_subject);
    v_id := api.add_vehicle(p_plate, p_vehicle_type, 4, p_engine_type);
    IF p_status <> 'UNDER_REVIEW' THEN
        PERFORM tests.as_service();
        PERFORM api.set_vehicle_status(v_id, p_status);
    END IF;
    PERFORM tests.as_owner();
    IF p_insured_from IS NOT NULL THEN
        PERFORM tests.verified_insurance(p_provider_subject, v_id, p_insured_from, p_insured_to);
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.insured_vehicle(text, text, text, text, text, date, date) IS
'A vehicle (4 seats) registered by the provider whose user is p_provider_subject (api.add_vehicle), reviewed to
p_status by the back office (left UNDER_REVIEW when that is asked for), with one VERIFIED COMPREHENSIVE policy for
[p_insured_from, p_insured_to] (none when p_insured_from is NULL). Returns the vehicle id.';

CREATE OR REPLACE FUNCTION tests.verified_provider(p_subject text, p_plate text DEFAULT NULL, p_name text DEFAULT NULL,
                                                   p_provider_type text DEFAULT 'COMPANY',
                                                   OUT provider_id bigint, OUT wallet_account_id bigint,
                                                   OUT user_id bigint, OUT vehicle_id bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    provider_id := tests.new_provider(p_subject, p_name, p_provider_type => p_provider_type);
    IF p_plate IS NOT NULL THEN
        vehicle_id := tests.insured_vehicle(p_subject, p_plate);
    END IF;
    SELECT p.wallet_account_id, p.user_id INTO wallet_account_id, user_id FROM parties.provider p WHERE p.id = provider_id;
END
$$;
COMMENT ON FUNCTION tests.verified_provider(text, text, text, text) IS
'A verified provider of user p_subject (tests.new_provider: BRONZE, a MAIN wallet); with p_plate, also an ACTIVE insured SEDAN of that plate
(tests.insured_vehicle). Returns the provider, its wallet, its user and the vehicle (NULL without a plate).';

CREATE OR REPLACE FUNCTION tests.awarded_rfq(p_business_id bigint, p_start date, p_end date, p_awards jsonb,
                                             p_awarded_at timestamptz DEFAULT now() - interval '1 day')
RETURNS TABLE (rfq_id bigint, line_no integer, rfq_line_id bigint, award_id bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bulk text := current_setting('mercato.bulk_load', true);
    v_rfq  bigint;
    v_line bigint;
    v_bid  bigint;
    a      record;
BEGIN
    -- Bids are written only before the deadline by the database clock (marketplace.check_bid_window): an RFQ awarded
    -- in the past is history, loaded with the superuser-only bulk-load switch for these statements only.
    PERFORM set_config('mercato.bulk_load', 'on', true);
    INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, published_at, awarded_at)
    VALUES (p_business_id, 'fleet', 'ETB', p_start, p_end, p_start::timestamptz - interval '2 days', 'AWARDED',
            now() - interval '3 days', p_awarded_at)
    RETURNING id INTO v_rfq;
    FOR a IN
        SELECT e.no AS line_no, e.x ->> 'vehicle_type' AS vehicle_type, e.x ->> 'engine_type' AS engine_type,
               (e.x ->> 'quantity')::integer AS quantity, (e.x ->> 'provider_id')::bigint AS provider_id,
               (e.x ->> 'unit_price')::numeric AS unit_price,
               sum((e.x ->> 'quantity')::integer) OVER (PARTITION BY e.no) AS required,
               row_number() OVER (PARTITION BY e.no ORDER BY e.n) AS nth
          FROM (SELECT x, n, coalesce((x ->> 'line_no')::integer, n::integer) AS no
                  FROM jsonb_array_elements(p_awards) WITH ORDINALITY AS j(x, n)) e
         ORDER BY e.n
    LOOP
        IF a.nth = 1 THEN
            INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, engine_type, quantity_required)
            VALUES (v_rfq, a.line_no, a.vehicle_type, a.engine_type, a.required)
            RETURNING id INTO v_line;
        ELSE
            SELECT l.id INTO v_line FROM marketplace.rfq_line l WHERE l.rfq_id = v_rfq AND l.line_no = a.line_no;
        END IF;
        INSERT INTO marketplace.bid (rfq_id, provider_id, status) VALUES (v_rfq, a.provider_id, 'AWARDED')
        ON CONFLICT ON CONSTRAINT bid_rfq_id_provider_id_key DO NOTHING;
        SELECT b.id INTO v_bid FROM marketplace.bid b WHERE b.rfq_id = v_rfq AND b.provider_id = a.provider_id;
        INSERT INTO marketplace.bid_line (bid_id, rfq_line_id, unit_price, quantity_offered)
        VALUES (v_bid, v_line, a.unit_price, a.quantity);
        rfq_id := v_rfq;
        line_no := a.line_no;
        rfq_line_id := v_line;
        INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, awarded_at)
        VALUES (v_rfq, v_line, v_bid, a.provider_id, a.quantity, a.unit_price, p_awarded_at)
        RETURNING id INTO award_id;
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('mercato.bulk_load', coalesce(v_bulk, ''), true);
END
$$;
COMMENT ON FUNCTION tests.awarded_rfq(bigint, date, date, jsonb, timestamptz) IS
'An ETB RFQ of the business for [p_start, p_end], AWARDED at p_awarded_at (deadline two days before the start):
p_awards = [{"line_no" (optional: the element''s position), "vehicle_type", "engine_type" (optional), "quantity",
"provider_id", "unit_price"}], one winning bid line and award per element (several elements with one line_no split
that line; its quantity_required is their sum). Loaded as history (mercato.bulk_load, superuser sessions only): bidding happens before a deadline by the
database clock, which a test cannot wait for. Returns one row per award: rfq, line number, RFQ line, award.';

CREATE OR REPLACE FUNCTION tests.active_contract(p_rfq_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user((SELECT u.auth_subject FROM marketplace.rfq r JOIN parties.business b ON b.id = r.business_id
                             JOIN identity.user_account u ON u.id = b.user_id WHERE r.id = p_rfq_id));
    v_id := (api.create_contract(p_rfq_id)).id;
    PERFORM api.activate_contract(v_id);
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.active_contract(bigint) IS
'The contract of an awarded RFQ made and activated by the RFQ''s business (api.create_contract,
api.activate_contract): ACTIVE, its full amount held in escrow on the business wallet, which must cover it. Returns
the contract id.';

CREATE OR REPLACE FUNCTION tests.delivered_assignment(p_contract_line_id bigint, p_vehicle_id bigint, p_started_on date)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
    SELECT l.id, l.contract_id, l.provider_id, p_vehicle_id, daterange(p_started_on, c.end_date, '[]'), 'ACTIVE', p_started_on
      FROM contracts.contract_line l JOIN contracts.contract c ON c.id = l.contract_id
     WHERE l.id = p_contract_line_id
    RETURNING id;
$$;
COMMENT ON FUNCTION tests.delivered_assignment(bigint, bigint, date) IS
'A vehicle of the line''s provider handed over on p_started_on and ACTIVE until the contract''s end date, as delivery
records it. Loaded as history: a handover is never back-dated (contracts.assignment_guard_trg), so days already past
can only be loaded. Returns the assignment id.';

CREATE OR REPLACE FUNCTION tests.rental_world(p_prefix text)
RETURNS TABLE (k text, v bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_a   record;
    v_p1  record;
    v_p2  record;
    v_rfq bigint;
    v_k   bigint;
    v_l1  bigint;
    v_l2  bigint;
BEGIN
    k := 'admin';
    v := identity.register_user(format('kc|%s-admin', p_prefix), 'ADMIN', format('%s admin', p_prefix));
    PERFORM identity.assign_role(v, 'PLATFORM_ADMIN');
    RETURN NEXT;
    SELECT * INTO v_a FROM tests.verified_business(format('kc|%s-a', p_prefix), 2000, 'A');
    k := 'a'; v := v_a.business_id; RETURN NEXT;
    k := 'b'; v := (tests.verified_business(format('kc|%s-b', p_prefix), 0, 'B')).business_id; RETURN NEXT;
    SELECT * INTO v_p1 FROM tests.verified_provider(format('kc|%s-p1', p_prefix), format('%s-1', p_prefix), 'P1');
    SELECT * INTO v_p2 FROM tests.verified_provider(format('kc|%s-p2', p_prefix), format('%s-2', p_prefix), 'P2');
    k := 'p1'; v := v_p1.provider_id; RETURN NEXT;
    k := 'car1'; v := v_p1.vehicle_id; RETURN NEXT;
    k := 'p2'; v := v_p2.provider_id; RETURN NEXT;
    k := 'car2'; v := v_p2.vehicle_id; RETURN NEXT;
    k := 'p3'; v := (tests.verified_provider(format('kc|%s-p3', p_prefix), NULL, 'P3')).provider_id; RETURN NEXT;
    SELECT a.rfq_id, a.rfq_line_id INTO v_rfq, v
      FROM tests.awarded_rfq(v_a.business_id, current_date - 5, current_date + 4,
                             jsonb_build_array(
                                 jsonb_build_object('line_no', 1, 'vehicle_type', 'SEDAN', 'quantity', 1,
                                                    'provider_id', v_p1.provider_id, 'unit_price', 100),
                                 jsonb_build_object('line_no', 1, 'vehicle_type', 'SEDAN', 'quantity', 1,
                                                    'provider_id', v_p2.provider_id, 'unit_price', 100)),
                             now() - interval '6 days') a
     LIMIT 1;
    k := 'rline'; RETURN NEXT;
    k := 'rfq'; v := v_rfq; RETURN NEXT;
    v_k := tests.active_contract(v_rfq);
    k := 'k'; v := v_k; RETURN NEXT;
    SELECT l.id INTO v_l1 FROM contracts.contract_line l WHERE l.contract_id = v_k AND l.provider_id = v_p1.provider_id;
    SELECT l.id INTO v_l2 FROM contracts.contract_line l WHERE l.contract_id = v_k AND l.provider_id = v_p2.provider_id;
    k := 'line_p1'; v := v_l1; RETURN NEXT;
    k := 'line_p2'; v := v_l2; RETURN NEXT;
    k := 'as_p1'; v := tests.delivered_assignment(v_l1, v_p1.vehicle_id, current_date - 5); RETURN NEXT;
    k := 'as_p2'; v := tests.delivered_assignment(v_l2, v_p2.vehicle_id, current_date - 5); RETURN NEXT;
END
$$;
COMMENT ON FUNCTION tests.rental_world(text) IS
'The world of the visibility tests, its users named kc|<p_prefix>-…: business a rents one car from each of providers
p1 and p2 (one SEDAN line split between them, 1 x 100.00 a day each for [today - 5, today + 4]) under one ACTIVE
contract, both cars handed over on its first day; business b and provider p3 are strangers to it; admin is a
PLATFORM_ADMIN. Returns (key, id) rows: admin (user), a, b, p1, p2, p3, car1, car2, rfq, rline, k (the contract),
line_p1, line_p2, as_p1, as_p2 (the assignments).';

CREATE OR REPLACE FUNCTION tests.failing_checks()
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT count(*) FROM contracts.check() WHERE NOT ok) + (SELECT count(*) FROM settlement.check() WHERE NOT ok);
COMMENT ON FUNCTION tests.failing_checks() IS
'How many of the contracts'' and settlement''s integrity checks fail (contracts.check(), settlement.check()): 0 when
escrow, assignments and cycles are consistent.';

CREATE OR REPLACE FUNCTION tests.held(p_account_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT b.held FROM ledger.account_balance(p_account_id) b);
COMMENT ON FUNCTION tests.held(bigint) IS 'What the ledger account holds in open holds (ledger.account_balance).';

CREATE OR REPLACE FUNCTION tests.line_hold(p_contract_line_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT h.amount FROM contracts.contract_line l JOIN ledger.hold h ON h.id = l.hold_id AND h.status = 'OPEN'
         WHERE l.id = p_contract_line_id);
COMMENT ON FUNCTION tests.line_hold(bigint) IS
'The amount of the open escrow hold a contract line points at (NULL when it has none).';

CREATE OR REPLACE FUNCTION tests.contracts_world(p_active boolean DEFAULT false)
RETURNS TABLE (k text, v bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r    record;
    v_b1 bigint;
    v_p  bigint[];
BEGIN
    k := 'admin'; v := identity.register_user('root-1', 'ADMIN', 'Root'); RETURN NEXT;
    PERFORM identity.assign_role(v, 'PLATFORM_ADMIN');
    k := 'bank'; v := ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true); RETURN NEXT;
    FOR r IN SELECT x.n, b.* FROM (VALUES (1, 13000, 'Biz One'), (2, 100000, 'Biz Two')) x(n, amount, name)
                  CROSS JOIN LATERAL tests.verified_business('biz-' || x.n, x.amount, x.name, 'NGO') b LOOP
        v_b1 := coalesce(v_b1, r.business_id);
        k := 'b' || r.n; v := r.business_id; RETURN NEXT;
        k := 'w_b' || r.n; v := r.wallet_account_id; RETURN NEXT;
    END LOOP;
    FOR r IN SELECT x.n, p.* FROM (VALUES (1, 'Prov One', 'COMPANY'), (2, 'Prov Two', 'INDIVIDUAL')) x(n, name, type)
                  CROSS JOIN LATERAL tests.verified_provider('prov-' || x.n, NULL, x.name, x.type) p LOOP
        v_p := v_p || r.provider_id;
        k := 'p' || r.n; v := r.provider_id; RETURN NEXT;
        k := 'w_p' || r.n; v := r.wallet_account_id; RETURN NEXT;
    END LOOP;
    -- Contract A's RFQ: 30 days from 10 days ago. Line 1: 2 sedans (any engine) from P1 at 100.00; line 2: 1 diesel SUV
    -- from P2 at 250.50.
    FOR r IN SELECT * FROM tests.awarded_rfq(
                 v_b1, current_date - 10, current_date + 19,
                 jsonb_build_array(
                     jsonb_build_object('vehicle_type', 'SEDAN', 'quantity', 2, 'provider_id', v_p[1], 'unit_price', '100.00'),
                     jsonb_build_object('vehicle_type', 'SUV', 'engine_type', 'DIESEL', 'quantity', 1, 'provider_id', v_p[2],
                                        'unit_price', '250.50'))) LOOP
        IF r.line_no = 1 THEN
            k := 'rfq_a'; v := r.rfq_id; RETURN NEXT;
        END IF;
        k := 'award_a' || r.line_no; v := r.award_id; RETURN NEXT;
    END LOOP;
    -- Vehicles of P1 (sedans unless said) and P2, insured from 60 days ago to 60 days ahead unless said.
    FOR r IN SELECT x.*, tests.insured_vehicle(x.subject, x.plate, x.type, x.engine, x.status, x.ins_from, x.ins_to) AS id
               FROM (VALUES ('v1', 'prov-1', 'AA-1', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60),
                            ('v2_partly', 'prov-1', 'AA-2', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 5),
                            ('v3_uninsured', 'prov-1', 'AA-3', 'SEDAN', 'PETROL', 'ACTIVE', NULL, NULL),
                            ('v4_suv', 'prov-1', 'AA-4', 'SUV', 'DIESEL', 'ACTIVE', current_date - 60, current_date + 60),
                            ('v5_review', 'prov-1', 'AA-5', 'SEDAN', 'PETROL', 'UNDER_REVIEW', current_date - 60, current_date + 60),
                            ('v6', 'prov-1', 'AA-6', 'SEDAN', 'HYBRID', 'ACTIVE', current_date - 60, current_date + 60),
                            ('v7', 'prov-1', 'AA-7', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60),
                            ('v8', 'prov-1', 'AA-8', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60),
                            ('v_suv_diesel', 'prov-2', 'BB-1', 'SUV', 'DIESEL', 'ACTIVE', current_date - 60, current_date + 60),
                            ('v_suv_petrol', 'prov-2', 'BB-2', 'SUV', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60))
                    AS x(name, subject, plate, type, engine, status, ins_from, ins_to) LOOP
        k := r.name; v := r.id; RETURN NEXT;
        IF r.name = 'v2_partly' THEN   -- its second policy starts two days after its first ends: a gap of one day
            PERFORM tests.verified_insurance('prov-1', r.id, current_date + 7, current_date + 90, 'THIRD_PARTY', 'Other');
        END IF;
    END LOOP;
    IF p_active THEN
        -- Contract A active: biz-1 tops up to 14,000.00 and activates it; on each line one vehicle was handed over on
        -- its first day (v1 on line 1, v_suv_diesel on line 2).
        PERFORM tests.as_service();
        PERFORM api.top_up_business(v_b1, 1000, 'tests:top-up:biz-1:2');
        PERFORM tests.as_owner();
        k := 'ca'; v := tests.active_contract((SELECT q.id FROM marketplace.rfq q WHERE q.business_id = v_b1)); RETURN NEXT;
        FOR r IN SELECT l.id, row_number() OVER (ORDER BY l.id) AS n FROM contracts.contract_line l WHERE l.contract_id = v LOOP
            k := 'l' || r.n; v := r.id; RETURN NEXT;
            k := CASE r.n WHEN 1 THEN 'a_v1' ELSE 'a_suv' END;
            v := tests.delivered_assignment(r.id, (SELECT x.id FROM fleet.vehicle x WHERE x.plate_number = CASE r.n WHEN 1 THEN 'AA-1' ELSE 'BB-1' END),
                                            current_date - 10);
            RETURN NEXT;
        END LOOP;
    END IF;
END
$$;
COMMENT ON FUNCTION tests.contracts_world(boolean) IS
'The world of the contracts function tests: admin root-1; businesses biz-1 (Biz One, 13,000.00 on its wallet) and
biz-2 (Biz Two, 100,000.00); providers prov-1 (Prov One, COMPANY) and prov-2 (Prov Two, INDIVIDUAL); the RFQ of
contract A awarded a day ago (30 days from 10 days ago; line 1: 2 sedans from P1 at 100.00, line 2: 1 diesel SUV from
P2 at 250.50); P1''s sedans v1, v2_partly (a one-day gap in its insurance), v3_uninsured, v5_review (UNDER_REVIEW), v6
(hybrid), v7, v8 and SUV v4_suv, P2''s SUVs v_suv_diesel and v_suv_petrol. Returns (key, id) rows: admin, bank (the
CLEARING account), b1, w_b1, b2, w_b2, p1, w_p1, p2, w_p2, rfq_a, award_a1, award_a2 and the vehicles. With p_active,
also contract A made and activated by biz-1 (topped up to 14,000.00 first): ca, its lines l1 and l2, and the
assignments a_v1 (v1 on l1) and a_suv (v_suv_diesel on l2), both handed over on its first day.';

CREATE OR REPLACE FUNCTION tests.settlement_world()
RETURNS TABLE (k text, v bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r    record;
    v_b1 bigint;
    v_p1 bigint;
BEGIN
    SELECT b.business_id, b.wallet_account_id INTO v_b1, v FROM tests.verified_business('biz-1', 2500000, 'Biz One') b;
    k := 'w_b1'; RETURN NEXT;
    k := 'b1'; v := v_b1; RETURN NEXT;
    FOR r IN SELECT x.n, p.* FROM (VALUES (1, 'Prov One', 'COMPANY'), (2, 'Prov Two', 'INDIVIDUAL')) x(n, name, type)
                  CROSS JOIN LATERAL tests.verified_provider('prov-' || x.n, NULL, x.name, x.type) p LOOP
        v_p1 := coalesce(v_p1, r.provider_id);
        k := 'p' || r.n; v := r.provider_id; RETURN NEXT;
        k := 'w_p' || r.n; v := r.wallet_account_id; RETURN NEXT;
    END LOOP;
    -- 30 days from 20 days ago, awarded 25 days ago; P1 (BRONZE: 10 %, min 50, max 50000 per line and cycle) on three
    -- lines, each with its vehicle handed over on the first day (as delivery records it).
    FOR r IN SELECT a.*, tests.insured_vehicle('prov-1', x.plate, x.type, x.engine) AS vehicle
               FROM tests.awarded_rfq(
                        v_b1, current_date - 20, current_date + 9,
                        jsonb_build_array(
                            jsonb_build_object('vehicle_type', 'SEDAN', 'quantity', 1, 'provider_id', v_p1, 'unit_price', '142.87'),
                            jsonb_build_object('vehicle_type', 'SUV', 'quantity', 1, 'provider_id', v_p1, 'unit_price', '3.33'),
                            jsonb_build_object('vehicle_type', 'PICKUP', 'quantity', 1, 'provider_id', v_p1, 'unit_price', '80000.00')),
                        now() - interval '25 days') a
               JOIN (VALUES (1, 'AA-1', 'SEDAN', 'PETROL'), (2, 'AA-2', 'SUV', 'PETROL'), (3, 'AA-3', 'PICKUP', 'DIESEL'))
                    AS x(line_no, plate, type, engine) ON x.line_no = a.line_no
              ORDER BY a.line_no LOOP
        IF r.line_no = 1 THEN
            k := 'rfq'; v := r.rfq_id; RETURN NEXT;
            k := 'c'; v := tests.active_contract(r.rfq_id); RETURN NEXT;
        END IF;
        k := 'aw' || r.line_no; v := r.award_id; RETURN NEXT;
        k := 'v' || r.line_no; v := r.vehicle; RETURN NEXT;
        k := 'l' || r.line_no; v := (SELECT l.id FROM contracts.contract_line l WHERE l.award_id = r.award_id); RETURN NEXT;
        PERFORM tests.delivered_assignment(v, r.vehicle, current_date - 20);
    END LOOP;
END
$$;
COMMENT ON FUNCTION tests.settlement_world() IS
'The world of the settlement function tests: business biz-1 (Biz One, 2,500,000.00 on its wallet), providers prov-1
(Prov One) and prov-2 (Prov Two, no vehicle-day); one ACTIVE contract c of 30 days from 20 days ago (awarded 25 days
ago, BRONZE terms) with three lines of P1: l1 a sedan at 142.87, l2 an SUV at 3.33, l3 a pickup at 80,000.00 a day,
each with its vehicle (v1..v3) handed over on the first day. Returns (key, id) rows: b1, w_b1, p1, w_p1, p2, w_p2, rfq,
c, aw1..aw3, v1..v3, l1..l3.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: marketplace and delivery ---------------------------------------------------------------------------------
-- Builders of the rental product's usual fixtures, made through the api by the caller who would make each step (the
-- user for its own party, RFQ, bid or session; the back office for registrations, reviews and top-ups), so that every
-- rule on the way holds. Call them as the test's own role (the database owner, outside tests.as_user); each returns
-- to that role with no claims set (tests.as_owner). They return ids; a test reads the rest from the tables. A vehicle
-- comes from tests.insured_vehicle above.

CREATE OR REPLACE FUNCTION tests.phone_of(p_sub text)
RETURNS text
LANGUAGE sql
IMMUTABLE
RETURN '+2519' || lpad((abs(hashtext(p_sub)::bigint) % 100000000)::text, 8, '0');
COMMENT ON FUNCTION tests.phone_of(text) IS
'The phone number the builders give the user p_sub (E.164, +2519 and 8 digits from a hash of the subject).';

CREATE OR REPLACE FUNCTION tests.email_of(p_sub text)
RETURNS text
LANGUAGE sql
IMMUTABLE
RETURN regexp_replace(p_sub, '[^A-Za-z0-9.-]', '-', 'g') || '@example.test';
COMMENT ON FUNCTION tests.email_of(text) IS
'The e-mail address the builders give the user p_sub (the subject with | and the like replaced, at example.test).';

CREATE OR REPLACE FUNCTION tests.outbox_code(p_session_id bigint)
RETURNS text
LANGUAGE sql
STABLE
RETURN (SELECT ms.secret ->> 'code' FROM outbox.message m JOIN outbox.message_secret ms ON ms.message_id = m.id
         WHERE m.template = 'delivery.otp' AND (m.params ->> 'session_id')::bigint = p_session_id
         ORDER BY m.id DESC LIMIT 1);
COMMENT ON FUNCTION tests.outbox_code(bigint) IS
'The code of the session''s latest delivery.otp message, read from outbox.message_secret as the test''s owner role (what
the business receives by SMS); NULL once that message was SENT (its secret is deleted).';

CREATE OR REPLACE FUNCTION tests.new_business(p_sub text, p_name text DEFAULT NULL, p_verified boolean DEFAULT true,
                                              p_tenant_code text DEFAULT NULL, p_business_type text DEFAULT 'LOGISTICS')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_tenant bigint := (SELECT t.id FROM identity.tenant t WHERE t.code = p_tenant_code);
    v_id     bigint;
BEGIN
    PERFORM tests.as_service();
    PERFORM api.register_user(p_sub, 'BUSINESS', coalesce(p_name, p_sub), v_tenant, tests.email_of(p_sub),
                              tests.phone_of(p_sub));
    PERFORM tests.as_user(p_sub);
    v_id := api.register_business(coalesce(p_name, p_sub), p_business_type);
    IF p_verified THEN
        PERFORM tests.as_service();
        PERFORM api.set_business_kyb(v_id, 'VERIFIED');
    END IF;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.new_business(text, text, boolean, text, text) IS
'A business user p_sub (in tenant p_tenant_code, default none; phone tests.phone_of(p_sub), e-mail
tests.email_of(p_sub), where its delivery codes go) and its business (p_business_type, default LOGISTICS,
named p_name or p_sub),
registered by the back office and by the user; KYB VERIFIED by the back office unless p_verified is false. Returns
the business id.';

CREATE OR REPLACE FUNCTION tests.new_provider(p_sub text, p_name text DEFAULT NULL, p_verified boolean DEFAULT true,
                                              p_tenant_code text DEFAULT NULL, p_provider_type text DEFAULT 'COMPANY')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_tenant bigint := (SELECT t.id FROM identity.tenant t WHERE t.code = p_tenant_code);
    v_id     bigint;
BEGIN
    PERFORM tests.as_service();
    PERFORM api.register_user(p_sub, 'PROVIDER', coalesce(p_name, p_sub), v_tenant);
    PERFORM tests.as_user(p_sub);
    v_id := api.register_provider(p_provider_type, coalesce(p_name, p_sub));
    IF p_verified THEN
        PERFORM tests.as_service();
        PERFORM api.set_provider_verification(v_id, 'VERIFIED');
    END IF;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.new_provider(text, text, boolean, text, text) IS
'A provider user p_sub (in tenant p_tenant_code, default none) and its provider (p_provider_type, default COMPANY,
named p_name or p_sub);
VERIFIED by the back office unless p_verified is false. Returns the provider id.';

CREATE OR REPLACE FUNCTION tests.new_rfq(p_business_sub text, p_lines jsonb DEFAULT '[{"vehicle_type": "SEDAN", "quantity": 1}]',
                                         p_title text DEFAULT 'Test RFQ', p_days integer DEFAULT 10,
                                         p_publish boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user(p_business_sub);
    v_id := api.create_rfq(p_title, current_date + 1, current_date + p_days, now() + interval '2 hours', p_lines);
    IF p_publish THEN
        PERFORM api.publish_rfq(v_id);
    END IF;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.new_rfq(text, jsonb, text, integer, boolean) IS
'An RFQ of the business user p_business_sub: vehicles from tomorrow for p_days days, bids for the next two hours,
p_lines as api.create_rfq takes them (default one SEDAN); published by the business unless p_publish is false (then a
DRAFT). Returns the RFQ id; its lines are marketplace.rfq_line rows by line_no.';

CREATE OR REPLACE FUNCTION tests.bid(p_provider_sub text, p_rfq_id bigint, p_unit_price numeric, p_quantity integer DEFAULT 1,
                                     p_line_no integer DEFAULT 1)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_line bigint := (SELECT l.id FROM marketplace.rfq_line l WHERE l.rfq_id = p_rfq_id AND l.line_no = p_line_no);
    v_id   bigint;
BEGIN
    PERFORM tests.as_user(p_provider_sub);
    v_id := api.submit_bid(p_rfq_id, jsonb_build_array(jsonb_build_object('rfq_line_id', v_line, 'unit_price', p_unit_price::text,
                                                                          'quantity', p_quantity)));
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.bid(text, bigint, numeric, integer, integer) IS
'The provider user p_provider_sub bids p_unit_price per vehicle per day for p_quantity vehicles of line p_line_no of an
open RFQ (api.submit_bid; a second call revises the bid). Returns the bid id.';

CREATE OR REPLACE FUNCTION tests.close_bidding(p_rfq_id bigint)
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() - interval '1 second' WHERE id = p_rfq_id;
$$;
COMMENT ON FUNCTION tests.close_bidding(bigint) IS
'The RFQ''s bid deadline passes: the test moves it one second into the past as the table owner (no function moves a
deadline, and a test does not wait for the clock).';

CREATE OR REPLACE FUNCTION tests.award_all(p_business_sub text, p_rfq_id bigint)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_awards jsonb;
    v_count  integer;
BEGIN
    PERFORM tests.as_user(p_business_sub);
    -- Per line, the bids in rank order, each for what it offered, until the quantity required is reached.
    SELECT jsonb_agg(jsonb_build_object('rfq_line_id', x.rfq_line_id, 'bidder', x.bidder, 'quantity', x.quantity)
                     ORDER BY x.rfq_line_id, x.rank)
      INTO v_awards
      FROM (SELECT b.rfq_line_id, b.rank, b.bidder,
                   least(b.quantity_offered, l.quantity_required - coalesce(sum(b.quantity_offered) OVER (
                         PARTITION BY b.rfq_line_id ORDER BY b.rank ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS quantity
              FROM api.rfq_bids(p_rfq_id) b JOIN marketplace.rfq_line l ON l.id = b.rfq_line_id) x
     WHERE x.quantity > 0;
    v_count := api.award_rfq(p_rfq_id, v_awards);
    PERFORM tests.as_owner();
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION tests.award_all(text, bigint) IS
'After the deadline the business user p_business_sub awards each line to its bids in rank order (api.rfq_bids), each
for the quantity it offered, until the quantity required is reached (api.award_rfq). Returns the number of awards.';

CREATE OR REPLACE FUNCTION tests.active_contract(p_business_sub text, p_rfq_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_contract contracts.contract;
BEGIN
    PERFORM tests.as_user(p_business_sub);
    v_contract := api.create_contract(p_rfq_id);
    PERFORM tests.as_service();
    PERFORM api.top_up_business(v_contract.business_id, trim_scale(v_contract.total_amount), 'tests-contract-' || v_contract.id);
    PERFORM tests.as_user(p_business_sub);
    PERFORM api.activate_contract(v_contract.id);
    PERFORM tests.as_owner();
    RETURN v_contract.id;
END
$$;
COMMENT ON FUNCTION tests.active_contract(text, bigint) IS
'The contract of an AWARDED RFQ, ACTIVE with its full amount in escrow: created by the business user p_business_sub,
its wallet topped up by the back office with exactly the contract''s total, then activated by the business. Returns the
contract id.';

CREATE OR REPLACE FUNCTION tests.assign(p_provider_sub text, p_contract_id bigint, p_vehicle_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_line bigint := (SELECT l.id FROM contracts.contract_line l JOIN parties.provider p ON p.id = l.provider_id
                        JOIN identity.user_account u ON u.id = p.user_id
                       WHERE l.contract_id = p_contract_id AND u.auth_subject = p_provider_sub
                       ORDER BY l.id LIMIT 1);
    v_id   bigint;
BEGIN
    PERFORM tests.as_user(p_provider_sub);
    v_id := (api.assign_vehicle(v_line, p_vehicle_id)).id;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.assign(text, bigint, bigint) IS
'The provider user p_provider_sub assigns its vehicle p_vehicle_id to its (first) line of an ACTIVE contract
(api.assign_vehicle). Returns the assignment id (PENDING_DELIVERY).';

CREATE OR REPLACE FUNCTION tests.delivery_session(p_provider_sub text, p_assignment_id bigint, p_session_type text DEFAULT 'DELIVERY')
RETURNS TABLE (session_id bigint, code text)
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user(p_provider_sub);
    SELECT s.session_id INTO v_id FROM api.start_delivery_session(p_assignment_id, p_session_type) s;
    PERFORM tests.as_owner();
    RETURN QUERY SELECT v_id, tests.outbox_code(v_id);
END
$$;
COMMENT ON FUNCTION tests.delivery_session(text, bigint, text) IS
'The provider user p_provider_sub opens a DELIVERY (default) or RETURN session of its assignment
(api.start_delivery_session, SMS). Returns the session id and the code, read back as the owner from the outbox message
the session enqueued for the business (tests.outbox_code): the api never returns it.';

CREATE OR REPLACE FUNCTION tests.assigned_world(p_prefix text)
RETURNS TABLE (k text, v bigint)
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_biz  text := format('kc|%s-biz', p_prefix);
    v_p1   text := format('kc|%s-p1', p_prefix);
    v_ids  jsonb := '{}';
    v_rfq  bigint;
    v_con  bigint;
BEGIN
    v_ids := v_ids || jsonb_build_object('biz', tests.new_business(v_biz, 'Selam'));
    v_ids := v_ids || jsonb_build_object('p1', tests.new_provider(v_p1, 'Abebe Cars'));
    v_ids := v_ids || jsonb_build_object('p2', tests.new_provider(format('kc|%s-p2', p_prefix), 'Other', p_verified => false));
    v_ids := v_ids || jsonb_build_object('car', tests.insured_vehicle(v_p1, upper(p_prefix) || ' 1'));
    v_rfq := tests.new_rfq(v_biz, p_title => 'One car');
    PERFORM tests.bid(v_p1, v_rfq, 1000);
    PERFORM tests.close_bidding(v_rfq);
    PERFORM tests.award_all(v_biz, v_rfq);
    v_con := tests.active_contract(v_biz, v_rfq);
    v_ids := v_ids || jsonb_build_object('rfq', v_rfq, 'contract', v_con,
                                         'cline', (SELECT l.id FROM contracts.contract_line l WHERE l.contract_id = v_con));
    v_ids := v_ids || jsonb_build_object('asg', tests.assign(v_p1, v_con, (v_ids ->> 'car')::bigint));
    RETURN QUERY SELECT e.key, e.value::bigint FROM jsonb_each_text(v_ids) e;
END
$$;
COMMENT ON FUNCTION tests.assigned_world(text) IS
'The delivery tests'' world, all through the api: business kc|<prefix>-biz (verified, funded), provider kc|<prefix>-p1
(verified, one insured ACTIVE car) and kc|<prefix>-p2 (unverified), one RFQ bid on by p1, awarded, an ACTIVE contract in
escrow and the car assigned (PENDING_DELIVERY). Returns the ids by name: biz, p1, p2, car, rfq, contract, cline, asg.';

-- errors: the code and the detail ------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION tests.error_of(p_sql text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_state   text;
    v_message text;
    v_detail  text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    RETURN v_state || ' ' || split_part(v_message, ':', 1) || coalesce(' ' || nullif(v_detail, ''), '');
END
$$;
COMMENT ON FUNCTION tests.error_of(text) IS
'Run p_sql (as the current role, in a subtransaction that the error rolls back) and return what a caller would learn of
its refusal: "<SQLSTATE> <CODE> <detail>", e.g. "PT400 STORE_INVALID_CARD_ATTRIBUTE grade: PSA has no grade 9.25 …";
NULL when it succeeds. For tests that assert on the detail as well as the code (throws_like sees the message only).';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: the shops of issue 18 (catalog, inventory, orders, store) ------------------------------------------------

CREATE OR REPLACE FUNCTION tests.shop(p_code text, p_currency text DEFAULT 'USD')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint;
BEGIN
    PERFORM tests.as_service();
    v_tenant := api.create_tenant(p_code, upper(p_code));
    IF p_currency IS NOT NULL THEN
        PERFORM api.set_tenant_currency(v_tenant, p_currency);
    END IF;
    PERFORM api.assign_role(api.register_user(p_code || '-admin', 'ADMIN', p_code || ' admin', v_tenant), 'TENANT_ADMIN',
                            v_tenant);
    PERFORM api.register_user(p_code || '-staff', 'STAFF', p_code || ' staff', v_tenant);
    PERFORM tests.as_owner();
    RETURN v_tenant;
END
$$;
COMMENT ON FUNCTION tests.shop(text, text) IS
'A shop: tenant p_code (named upper(p_code)) in p_currency (default USD; NULL leaves it unset), its administrator
<p_code>-admin (TENANT_ADMIN: catalog.manage, …) and a staff user <p_code>-staff without any role, all through the api
as the back office. Act as them with tests.as_user(''<p_code>-admin''). Returns the tenant id.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: inventory ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION tests.catalog_variant(p_tenant_id bigint, p_sku text, p_policy text DEFAULT 'DENY',
                                                 p_max_quantity integer DEFAULT NULL, p_track boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_product bigint;
    v_id      bigint;
BEGIN
    -- the tenant's currency first (NULL until set, then fixed: schemas/identity/tenant_currency)
    UPDATE identity.tenant t
       SET currency = (SELECT c.code FROM masterdata.currency c ORDER BY c.code = 'USD' DESC, c.code LIMIT 1)
     WHERE t.id = p_tenant_id AND t.currency IS NULL;
    INSERT INTO catalog.product (tenant_id, title) VALUES (p_tenant_id, 'Product ' || p_sku) RETURNING id INTO v_product;
    INSERT INTO catalog.variant (tenant_id, product_id, sku, currency, price, inventory_policy, max_quantity, track_inventory)
    SELECT p_tenant_id, v_product, p_sku, t.currency, 10, p_policy, p_max_quantity, p_track
      FROM identity.tenant t WHERE t.id = p_tenant_id
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.catalog_variant(bigint, text, text, integer, boolean) IS
'A catalog product with one variant of the tenant (written directly, as the catalog''s own functions would): SKU,
inventory policy, max_quantity, track_inventory; sets the tenant''s currency first when it has none. Returns the
variant id. Call as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.inventory_world(p_prefix text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_a bigint := tests.put('a', identity.create_tenant(p_prefix || '-a', 'Shop A'));
    v_b bigint := tests.put('b', identity.create_tenant(p_prefix || '-b', 'Shop B'));
BEGIN
    PERFORM tests.put('a_admin', identity.register_user(format('kc|%s-a-admin', p_prefix), 'ADMIN', 'A admin', v_a));
    PERFORM tests.put('b_admin', identity.register_user(format('kc|%s-b-admin', p_prefix), 'ADMIN', 'B admin', v_b));
    PERFORM tests.put('a_clerk', identity.register_user(format('kc|%s-a-clerk', p_prefix), 'STAFF', 'A clerk', v_a));
    PERFORM tests.put('padmin', identity.register_user(format('kc|%s-padmin', p_prefix), 'ADMIN', 'Platform admin'));
    PERFORM identity.assign_role(tests.id('a_admin'), 'TENANT_ADMIN', v_a);
    PERFORM identity.assign_role(tests.id('b_admin'), 'TENANT_ADMIN', v_b);
    PERFORM identity.assign_role(tests.id('padmin'), 'PLATFORM_ADMIN');
    PERFORM tests.put('v_deny', tests.catalog_variant(v_a, p_prefix || '-DENY'));
    PERFORM tests.put('v_cont', tests.catalog_variant(v_a, p_prefix || '-CONT', 'CONTINUE'));
    PERFORM tests.put('v_slab', tests.catalog_variant(v_a, p_prefix || '-SLAB', 'DENY', 1));
    PERFORM tests.put('v_free', tests.catalog_variant(v_a, p_prefix || '-FREE', 'DENY', NULL, false));
    PERFORM tests.put('v_b', tests.catalog_variant(v_b, p_prefix || '-B'));
    PERFORM tests.as_service();
    PERFORM tests.put('a_wh', api.create_inventory_location('WH', 'Warehouse', 'WAREHOUSE', 10, true, v_a));
    PERFORM tests.put('a_store', api.create_inventory_location('STORE', 'Shop floor', 'STORE', 20, true, v_a));
    PERFORM tests.put('a_cons', api.create_inventory_location('CONS', 'Consignment', 'CONSIGNMENT', 5, false, v_a));
    PERFORM tests.put('b_wh', api.create_inventory_location('WH', 'Warehouse B', 'WAREHOUSE', 10, true, v_b));
    PERFORM tests.as_owner();
END
$$;
COMMENT ON FUNCTION tests.inventory_world(text) IS
'The inventory tests'' world: tenants a and b (tests.id(''a''), ''b''), their admins kc|<prefix>-a-admin and -b-admin
(TENANT_ADMIN), a clerk of A without permissions kc|<prefix>-a-clerk, a platform admin kc|<prefix>-padmin; variants of
A: v_deny (DENY), v_cont (CONTINUE), v_slab (max_quantity 1), v_free (not tracked); v_b of B; locations of A: a_wh
(priority 10), a_store (20), a_cons (5, not online); b_wh of B. No stock yet. Ends acting as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: store purchasing (docs/store.md, "Purchasing") -----------------------------------------------------------
CREATE OR REPLACE FUNCTION tests.purchasing_world(p_prefix text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM tests.inventory_world(p_prefix);
    PERFORM tests.as_service();
    PERFORM tests.put('acme', api.create_store_distributor('ACME', 'Acme Distribution', '{"email": "orders@acme.test"}',
                                                           'Net 30', 30, 'FOB', 0, 5, tests.id('a')));
    PERFORM tests.put('bigmin', api.create_store_distributor('BIGMIN', 'Big Minimum', '{}', NULL, NULL, NULL, 1000, NULL,
                                                             tests.id('a')));
    PERFORM tests.put('bdist', api.create_store_distributor('BDIST', 'B Distribution', '{}', NULL, NULL, NULL, 0, 2,
                                                            tests.id('b')));
    PERFORM api.set_store_distributor_item(tests.id('acme'), tests.id('v_deny'), 2.50, 'AC-DENY', true, tests.id('a'));
    PERFORM api.set_store_distributor_item(tests.id('acme'), tests.id('v_cont'), 1.25, 'AC-CONT', false, tests.id('a'));
    PERFORM api.set_store_distributor_item(tests.id('acme'), tests.id('v_slab'), 100, NULL, true, tests.id('a'));
    PERFORM api.set_store_distributor_item(tests.id('bigmin'), tests.id('v_cont'), 1.10, NULL, true, tests.id('a'));
    PERFORM api.set_store_distributor_item(tests.id('bdist'), tests.id('v_b'), 4, 'BD-1', true, tests.id('b'));
    PERFORM tests.as_owner();
END
$$;
COMMENT ON FUNCTION tests.purchasing_world(text) IS
'The purchasing tests'' world: tests.inventory_world(p_prefix), then distributors of A: acme (ACME, no minimum, lead time
5 days; supplies v_deny at 2.50 preferred, v_cont at 1.25, v_slab at 100 preferred) and bigmin (BIGMIN, minimum order
1000; v_cont at 1.10 preferred); of B: bdist (BDIST; v_b at 4 preferred). All through the api as the back office. No
purchase order yet. Ends acting as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.purchase_order(p_tenant text, p_distributor text, p_location text, p_lines jsonb,
                                                p_submit boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_service();
    SELECT o.id INTO v_id
      FROM api.create_purchase_order(tests.id(p_distributor), tests.id(p_location), p_lines, p_tenant_id => tests.id(p_tenant)) o;
    IF p_submit THEN
        PERFORM api.submit_purchase_order(v_id, p_tenant_id => tests.id(p_tenant));
    END IF;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.purchase_order(text, text, text, jsonb, boolean) IS
'A purchase order of tenant tests.id(p_tenant) to distributor tests.id(p_distributor), shipped to location
tests.id(p_location), with p_lines ([{"variant_id", "quantity", "unit_cost"?}]); SUBMITTED unless p_submit is false. As
the back office through the api; returns its id and ends acting as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: orders money (customers, store credit, loyalty, refunds) ------------------------------------------------
CREATE OR REPLACE FUNCTION tests.order_for(p_tenant_id bigint, p_customer_id bigint, p_lines jsonb,
                                           p_reserve_at bigint DEFAULT NULL, p_source text DEFAULT 'MANUAL')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_order bigint;
    v_line  bigint;
    e       record;
BEGIN
    INSERT INTO orders.sales_order (tenant_id, number, source, currency, customer_id, subtotal, total_price)
    SELECT p_tenant_id, core.next_number('orders.sales_order', p_tenant_id::text), p_source, t.currency, p_customer_id,
           s.total, s.total
      FROM identity.tenant t,
           LATERAL (SELECT coalesce(sum((x ->> 'price')::numeric * (x ->> 'quantity')::integer), 0) AS total
                      FROM jsonb_array_elements(p_lines) x) s
     WHERE t.id = p_tenant_id
    RETURNING id INTO v_order;
    FOR e IN SELECT x, n FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS j(x, n) ORDER BY n LOOP
        INSERT INTO orders.line (tenant_id, order_id, line_no, variant_id, quantity, price, taxable, title, sku)
        SELECT p_tenant_id, v_order, e.n, v.id, (e.x ->> 'quantity')::integer, (e.x ->> 'price')::numeric, false,
               'Line ' || e.n, v.sku
          FROM catalog.variant v WHERE v.id = (e.x ->> 'variant_id')::bigint AND v.tenant_id = p_tenant_id
        RETURNING id INTO v_line;
        IF p_reserve_at IS NOT NULL THEN
            PERFORM inventory.reserve_for(p_tenant_id, jsonb_build_array(jsonb_build_object(
                        'variant_id', (e.x ->> 'variant_id')::bigint, 'quantity', (e.x ->> 'quantity')::integer,
                        'location_id', p_reserve_at)), 'orders', 'line', v_line::text);
        END IF;
    END LOOP;
    RETURN v_order;
END
$$;
COMMENT ON FUNCTION tests.order_for(bigint, bigint, jsonb, bigint, text) IS
'A PENDING order of the tenant for the customer (NULL: none), written directly as the superuser (what place_order
would write): p_lines [{variant_id, quantity, price}] in the tenant''s currency, no tax, no discount, total = subtotal,
the next order number; with p_reserve_at each line''s stock is reserved there (inventory.reserve_for, reference orders,
line, <line id>). Returns the order id; its lines are orders.line rows by line_no. Call as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.fund_order_external(p_order_id bigint, p_amount numeric, p_reference text)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (orders.apply_payment(o.tenant_id, o.id, 'EXTERNAL', p_amount, orders.channel_account(o.tenant_id, o.source),
                                 p_external_reference => p_reference)).id
      FROM orders.sales_order o WHERE o.id = p_order_id;
$$;
COMMENT ON FUNCTION tests.fund_order_external(bigint, numeric, text) IS
'Record an EXTERNAL payment of p_amount on the order (orders.apply_payment from its source''s clearing account, as the
channel import would). Returns the payment id. Call as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;
-- fixtures: orders (lifecycle: functions/orders/*) ------------------------------------------------------------------
CREATE OR REPLACE FUNCTION tests.orders_customer(p_tenant_id bigint, p_email text, p_sub text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user bigint;
    v_id   bigint;
BEGIN
    IF p_sub IS NOT NULL THEN
        v_user := identity.register_user(p_sub, 'CUSTOMER', p_email, p_tenant_id);
    END IF;
    INSERT INTO orders.customer (tenant_id, email, user_id) VALUES (p_tenant_id, lower(p_email), v_user)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.orders_customer(bigint, text, text) IS
'A customer of the tenant (written directly: the customers'' functions are another use case), linked to a new CUSTOMER
user of the tenant signed in as p_sub when given (a customer-user). Returns the customer id. Call as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.orders_world(p_prefix text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_a bigint;
BEGIN
    PERFORM tests.inventory_world(p_prefix);
    v_a := tests.id('a');
    -- A's products are published (a customer buys only those)
    UPDATE catalog.product p SET status = 'ACTIVE', published_at = now() WHERE p.tenant_id = v_a;
    INSERT INTO orders.tax_rate (tenant_id, tax_code, effective_from, rate) VALUES (v_a, 'STANDARD', '2020-01-01', 0.0825);
    PERFORM tests.put('cust', tests.orders_customer(tests.id('a'), p_prefix || '-buyer@example.com',
                                                    format('kc|%s-a-buyer', p_prefix)));
    PERFORM tests.put('cust2', tests.orders_customer(tests.id('a'), p_prefix || '-other@example.com',
                                                     format('kc|%s-a-other', p_prefix)));
    PERFORM tests.put('walkin', identity.register_user(format('kc|%s-a-walkin', p_prefix), 'CUSTOMER', 'Walk-in',
                                                       tests.id('a')));
    PERFORM tests.put('b_cust', tests.orders_customer(tests.id('b'), p_prefix || '-b-buyer@example.com',
                                                      format('kc|%s-b-buyer', p_prefix)));
    PERFORM tests.as_service();
    PERFORM api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 3, p_tenant_id => tests.id('a'));
    PERFORM api.receive_stock(tests.id('v_deny'), tests.id('a_store'), 2, p_tenant_id => tests.id('a'));
    PERFORM api.receive_stock(tests.id('v_cont'), tests.id('a_wh'), 1, p_tenant_id => tests.id('a'));
    PERFORM api.receive_stock(tests.id('v_slab'), tests.id('a_store'), 1, p_tenant_id => tests.id('a'));
    PERFORM api.receive_stock(tests.id('v_b'), tests.id('b_wh'), 5, p_tenant_id => tests.id('b'));
    PERFORM tests.as_owner();
END
$$;
COMMENT ON FUNCTION tests.orders_world(text) IS
'The orders tests'' world: tests.inventory_world (tenants a and b, their admins with orders.manage, a''s clerk without
permissions, a platform admin, variants v_deny, v_cont, v_slab, v_free of A (published, 10.00 each, taxable) and v_b of
B, locations) plus: A''s STANDARD tax rate 0.0825 from 2020-01-01; customers of A cust (user kc|<prefix>-a-buyer) and
cust2 (user kc|<prefix>-a-other), a user of A without a customer record kc|<prefix>-a-walkin (walkin), B''s customer b_cust
(user kc|<prefix>-b-buyer); stock: v_deny 3 at a_wh and 2 at a_store, v_cont 1 at a_wh, v_slab 1 at a_store, v_b 5 at
b_wh. Ends acting as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.place(p_sub text, p_lines jsonb, p_extra jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    IF p_sub IS NULL THEN
        PERFORM tests.as_service();
    ELSE
        PERFORM tests.as_user(p_sub);
    END IF;
    v_id := (api.place_order(jsonb_build_object('lines', p_lines) || p_extra, NULL,
                             CASE WHEN p_sub IS NULL THEN tests.id('a') END) ->> 'id')::bigint;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.place(text, jsonb, jsonb) IS
'Place an order through api.place_order as p_sub (NULL: the back office, in tenant a of tests.orders_world) with these
lines and further fields (source, customer_id, shipping, …); returns the order id and ends acting as the test''s own
role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: fulfilment batches (store) --------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION tests.reserved_order(p_tenant_id bigint, p_lines jsonb)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_order bigint;
    v_line  jsonb;
    v_no    integer := 0;
    v_id    bigint;
BEGIN
    INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price)
    SELECT p_tenant_id, core.next_number('orders.sales_order', p_tenant_id::text), 'MANUAL', t.currency,
           (SELECT coalesce(sum((l->>'quantity')::int * 10), 0) FROM jsonb_array_elements(p_lines) l),
           (SELECT coalesce(sum((l->>'quantity')::int * 10), 0) FROM jsonb_array_elements(p_lines) l)
      FROM identity.tenant t WHERE t.id = p_tenant_id
    RETURNING id INTO v_order;
    FOR v_line IN SELECT * FROM jsonb_array_elements(p_lines) LOOP
        v_no := v_no + 1;
        INSERT INTO orders.line (tenant_id, order_id, line_no, variant_id, quantity, price, taxable, title, sku)
        SELECT p_tenant_id, v_order, v_no, v.id, (v_line->>'quantity')::int, 10, false, 'Item ' || v.sku, v.sku
          FROM catalog.variant v WHERE v.id = (v_line->>'variant_id')::bigint
        RETURNING id INTO v_id;
        PERFORM inventory.reserve_for(p_tenant_id, jsonb_build_array(v_line), 'orders', 'line', v_id::text);
    END LOOP;
    RETURN v_order;
END
$$;
COMMENT ON FUNCTION tests.reserved_order(bigint, jsonb) IS
'A MANUAL (staff-entered, may ship unpaid) order of the tenant written directly with one line per element of p_lines [{variant_id, quantity, location_id?}]
at price 10, untaxed, each line''s stock reserved through inventory.reserve_for under (orders, line, <line id>), as the
orders module does when an order is placed. Returns the order id. Call as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: payments (issue 19) ----------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION tests.payments_world(p_prefix text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_payer    bigint;
    v_owner    bigint;
    v_clerk    bigint;
    v_admin    bigint;
    v_merchant bigint;
BEGIN
    PERFORM tests.as_service();
    v_payer := api.register_user(p_prefix || '-payer', 'CUSTOMER', p_prefix || ' payer');
    v_owner := api.register_user(p_prefix || '-merchant', 'MERCHANT', p_prefix || ' merchant owner');
    v_clerk := api.register_user(p_prefix || '-clerk', 'MERCHANT', p_prefix || ' merchant clerk');
    v_admin := api.register_user(p_prefix || '-admin', 'ADMIN', p_prefix || ' payments admin');
    PERFORM api.assign_role(v_admin, 'PLATFORM_ADMIN');
    PERFORM tests.as_owner();
    -- no merchant registration use case exists yet: the organization is opened as the payments module would
    v_merchant := identity.open_organization('MERCHANT', NULL, p_prefix || ' shop', v_owner);
    PERFORM tests.as_user(p_prefix || '-merchant');
    PERFORM api.add_member(v_merchant, v_clerk);
    PERFORM tests.as_owner();
    RETURN jsonb_build_object('payer', v_payer, 'merchant_owner', v_owner, 'clerk', v_clerk, 'admin', v_admin,
                              'merchant', v_merchant);
END
$$;
COMMENT ON FUNCTION tests.payments_world(text) IS
'Payments fixtures: users <p>-payer (CUSTOMER), <p>-merchant (OWNER of the MERCHANT organization "<p> shop"),
<p>-clerk (its STAFF) and <p>-admin (PLATFORM_ADMIN: payments.manage); returns their ids and the merchant''s as JSON
(payer, merchant_owner, clerk, admin, merchant). Ends acting as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: payments rails ---------------------------------------------------------------------------------------------
-- The rails world: MPESA (unsigned: a path token, the allowlist 196.201.214.0/24) and KCB (signed: an HMAC key) made
-- ACTIVE by the payments admin; a payer's KES wallet funded from a test EXTERNAL account; helpers that build the
-- providers' message shapes and headers, and play the adapter's synchronous acknowledgement.

CREATE OR REPLACE FUNCTION tests.rails_world(p_prefix text, p_payer_funds numeric DEFAULT 1000)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_world  jsonb := tests.payments_world(p_prefix);
    v_token  text;
    v_wallet bigint;
    v_mw     bigint;
BEGIN
    PERFORM tests.as_user(p_prefix || '-admin');
    PERFORM api.set_rail('MPESA', p_status => 'ACTIVE', p_source_allowlist => '{196.201.214.0/24}');
    v_token := api.new_rail_path_token('MPESA');
    PERFORM api.set_rail('KCB', p_status => 'ACTIVE');
    PERFORM api.add_rail_hmac_secret('KCB', repeat('k', 40));
    PERFORM tests.as_owner();
    v_wallet := payments.wallet_for('USER', (v_world ->> 'payer')::bigint, 'KES');
    v_mw := payments.wallet_for('ORG', (v_world ->> 'merchant')::bigint, 'KES');
    IF p_payer_funds > 0 THEN
        PERFORM ledger.transfer('test:rails:' || p_prefix || ':fund',
                                ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'KES', true), v_wallet, p_payer_funds);
    END IF;
    RETURN v_world || jsonb_build_object('token', v_token, 'wallet', v_wallet, 'merchant_wallet', v_mw,
                                         'kcb_secret', repeat('k', 40));
END
$$;
COMMENT ON FUNCTION tests.rails_world(text, numeric) IS
'Rails fixtures on tests.payments_world: MPESA ACTIVE with a path token (returned as "token") and the allowlist
196.201.214.0/24, KCB ACTIVE with the HMAC key "kcb_secret" (40 x "k"); the payer''s KES wallet ("wallet") funded with
p_payer_funds, the merchant''s ("merchant_wallet"). Ends acting as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.mpesa_headers(p_token text, p_source text DEFAULT '196.201.214.10', p_callback text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN jsonb_strip_nulls(jsonb_build_object('X-Mercato-Path-Token', p_token, 'X-Mercato-Source-Address', p_source,
                                            'X-Mercato-Callback', p_callback));
COMMENT ON FUNCTION tests.mpesa_headers(text, text, text) IS
'The headers the HTTP edge passes for an M-Pesa call: the path token, the source address, the callback kind.';

CREATE OR REPLACE FUNCTION tests.signed_headers(p_body text, p_secret text, p_ts bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT jsonb_build_object('X-Mercato-Timestamp', t::text, 'X-Mercato-Signature',
                                  'sha256=' || encode(public.hmac(convert_to(t::text || '.' || p_body, 'UTF8'),
                                                                  convert_to(p_secret, 'UTF8'), 'sha256'), 'hex'))
          FROM (SELECT coalesce(p_ts, extract(epoch FROM now())::bigint) AS t) x);
COMMENT ON FUNCTION tests.signed_headers(text, text, bigint) IS
'The headers of a signed rail''s call: X-Mercato-Timestamp (now, or p_ts) and X-Mercato-Signature (sha256=hex of
HMAC-SHA256(secret, timestamp "." body)).';

CREATE OR REPLACE FUNCTION tests.stk_callback(p_checkout text, p_code integer, p_amount numeric DEFAULT NULL,
                                              p_receipt text DEFAULT NULL)
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN jsonb_build_object('Body', jsonb_build_object('stkCallback', jsonb_build_object(
    'MerchantRequestID', 'mr-' || p_checkout, 'CheckoutRequestID', p_checkout, 'ResultCode', p_code,
    'ResultDesc', CASE p_code WHEN 0 THEN 'The service request is processed successfully.'
                              WHEN 1032 THEN 'Request cancelled by user' WHEN 1037 THEN 'DS timeout user cannot be reached'
                              ELSE 'The balance is insufficient for the transaction' END)
    || CASE WHEN p_code = 0 THEN jsonb_build_object('CallbackMetadata', jsonb_build_object('Item', jsonb_build_array(
           jsonb_build_object('Name', 'Amount', 'Value', p_amount), jsonb_build_object('Name', 'MpesaReceiptNumber', 'Value', p_receipt),
           jsonb_build_object('Name', 'TransactionDate', 'Value', 20261203101010),
           jsonb_build_object('Name', 'PhoneNumber', 'Value', '2547******89')))) ELSE '{}' END))::text;
COMMENT ON FUNCTION tests.stk_callback(text, integer, numeric, text) IS
'A Daraja STK push callback body (Body.stkCallback with CallbackMetadata on success; the phone number masked).';

CREATE OR REPLACE FUNCTION tests.daraja_result(p_originator text, p_conversation text, p_code integer,
                                               p_params jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN jsonb_build_object('Result', jsonb_build_object('ResultType', 0, 'ResultCode', p_code,
    'ResultDesc', CASE WHEN p_code = 0 THEN 'The service request is processed successfully.' ELSE 'failed' END,
    'OriginatorConversationID', p_originator, 'ConversationID', p_conversation,
    'TransactionID', coalesce(p_params ->> 'ReceiptNo', 'NONE'),
    'ResultParameters', jsonb_build_object('ResultParameter',
        (SELECT coalesce(jsonb_agg(jsonb_build_object('Key', e.key, 'Value', e.value)), '[]') FROM jsonb_each(p_params) e))))::text;
COMMENT ON FUNCTION tests.daraja_result(text, text, integer, jsonb) IS
'A Daraja Result body (B2C result, queue time-out or Transaction Status result): OriginatorConversationID,
ConversationID, ResultCode and the ResultParameters given as an object.';

CREATE OR REPLACE FUNCTION tests.status_answer(p_instruction_id bigint, p_status text, p_amount numeric DEFAULT NULL,
                                               p_party text DEFAULT '600000 - Mercato', p_reason text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
RETURN (SELECT tests.daraja_result(q.originator_conversation_id, 'AG_Q_' || q.id, 0,
            jsonb_strip_nulls(jsonb_build_object('TransactionStatus', p_status,
                'Amount', coalesce(p_amount, i.amount)::text, 'ReceiptNo', 'RCPT' || i.id, 'ReasonCode', p_reason,
                CASE i.direction WHEN 'COLLECT' THEN 'CreditPartyName' ELSE 'DebitPartyName' END, p_party)))
          FROM payments.rail_status_query q JOIN payments.rail_instruction i ON i.id = q.instruction_id
         WHERE q.instruction_id = p_instruction_id ORDER BY q.id DESC LIMIT 1);
END
$$;
COMMENT ON FUNCTION tests.status_answer(bigint, text, numeric, text, text) IS
'The Transaction Status result answering the latest status query of an instruction: TransactionStatus (Completed,
Failed, Pending…), Amount (the instruction''s unless given), our party (600000 - Mercato unless given), ReasonCode.';

CREATE OR REPLACE FUNCTION tests.rail_ack(p_instruction_id bigint, p_response jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_msg   bigint := (SELECT message_id FROM payments.rail_instruction WHERE id = p_instruction_id);
    v_lease uuid;
BEGIN
    -- the adapter's claim of that one message (the test's role is a superuser: it passes as a sender)
    UPDATE outbox.message SET state = 'SENDING', attempts = attempts + 1, lease_token = gen_random_uuid(),
                              lease_until = now() + interval '1 minute'
     WHERE id = v_msg AND state = 'PENDING'
    RETURNING lease_token INTO v_lease;
    RETURN payments.rail_acknowledge(v_msg, v_lease, p_response::text);
END
$$;
COMMENT ON FUNCTION tests.rail_ack(bigint, jsonb) IS
'Play the rail adapter: claim an instruction''s outbox message and report the provider''s synchronous answer
(payments.rail_acknowledge). As the test''s own role.';

CREATE OR REPLACE FUNCTION tests.balance(p_account_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT b.balance FROM ledger.account_balance(p_account_id) b);
COMMENT ON FUNCTION tests.balance(bigint) IS 'A ledger account''s balance (ledger.account_balance).';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: payments intents ------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION tests.fund_wallet(p_wallet bigint, p_amount numeric, p_reference text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_currency text := (SELECT currency FROM ledger.account WHERE id = p_wallet);
BEGIN
    RETURN ledger.transfer(p_reference, ledger.open_account('PLATFORM', 'test', 'EXTERNAL', v_currency, true), p_wallet,
                           p_amount);
END
$$;
COMMENT ON FUNCTION tests.fund_wallet(bigint, numeric, text) IS
'Credit a wallet p_amount from the test EXTERNAL account of its currency (ledger reference p_reference); returns the
ledger transaction id. Call as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.grant_payments_internals(p_role text DEFAULT 'mercato_user')
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA payments TO %I', p_role);
    EXECUTE format('GRANT USAGE ON SCHEMA payments TO %I', p_role);
END
$$;
COMMENT ON FUNCTION tests.grant_payments_internals(text) IS
'Grant every payments function (and the schema''s usage) to an API role, so that a pgTAP file unit-tests internals as a
caller; inside the test''s rolled-back transaction only. Call as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: payments escrow (shops, goods escrow, installments) ------------------------------------------------------

CREATE OR REPLACE FUNCTION tests.escrow_world(p_prefix text, p_stock integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    w          jsonb := tests.payments_world(p_prefix);
    v_shop     jsonb;
    v_variant  bigint;
    v_location bigint;
    v_buyer2   bigint;
BEGIN
    PERFORM tests.as_user(p_prefix || '-admin');
    v_shop := api.open_shop((w ->> 'merchant')::bigint, p_prefix || '-shop', p_prefix || ' shop');
    PERFORM tests.as_owner();
    -- the catalog, as its own functions would write it (tests.catalog_variant), published; stock through the api
    v_variant := tests.catalog_variant((v_shop ->> 'tenant_id')::bigint, p_prefix || '-SKU');
    UPDATE catalog.product p SET status = 'ACTIVE', published_at = now()
     WHERE p.id = (SELECT v.product_id FROM catalog.variant v WHERE v.id = v_variant);
    PERFORM tests.as_service();
    v_location := api.create_inventory_location('WH', 'Warehouse', 'WAREHOUSE', 10, true, (v_shop ->> 'tenant_id')::bigint);
    PERFORM api.receive_stock(v_variant, v_location, p_stock, p_tenant_id => (v_shop ->> 'tenant_id')::bigint);
    v_buyer2 := api.register_user(p_prefix || '-buyer2', 'CUSTOMER', p_prefix || ' second buyer');
    PERFORM tests.as_owner();
    RETURN w || v_shop || jsonb_build_object('variant', v_variant, 'location', v_location, 'buyer2', v_buyer2);
END
$$;
COMMENT ON FUNCTION tests.escrow_world(text, integer) IS
'Escrow fixtures: tests.payments_world(p_prefix) and the merchant''s shop opened by <p>-admin (payments.open_shop:
tenant <p>-shop in KES, the merchant owner its TENANT_ADMIN), one published product with a variant <p>-SKU at 10.00
KES, p_stock units at its warehouse, and a second buyer <p>-buyer2. Returns payments_world''s ids with shop_id,
organization_id, tenant_id, currency, variant, location, buyer2. Ends acting as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.fund_user_wallet(p_user_id bigint, p_amount numeric, p_currency text DEFAULT 'KES')
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ledger.transfer('test:fund:' || gen_random_uuid(),
                           ledger.open_account('PLATFORM', 'test', 'EXTERNAL', p_currency, true),
                           payments.wallet_for('USER', p_user_id, p_currency), p_amount);
$$;
COMMENT ON FUNCTION tests.fund_user_wallet(bigint, numeric, text) IS
'Credit a user''s wallet with p_amount from the test EXTERNAL account (a top-up without a rail). Returns the ledger
transaction. Call as the test''s own role.';

CREATE OR REPLACE FUNCTION tests.shop_order(p_sub text, p_shop_id bigint, p_variant_id bigint, p_quantity integer)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user(p_sub);
    v_id := (api.place_shop_order(p_shop_id, jsonb_build_object('lines', jsonb_build_array(
                jsonb_build_object('variant_id', p_variant_id, 'quantity', p_quantity)))) ->> 'id')::bigint;
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.shop_order(text, bigint, bigint, integer) IS
'A shop order placed by the user p_sub (payments.place_shop_order): p_quantity units of the variant. Returns the order
id; ends acting as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: payments billing (merchants, invoices, merchant webhooks) ------------------------------------------------

-- tests.fund_wallet(wallet, amount, reference): the one of the intents' fixtures above

CREATE OR REPLACE FUNCTION tests.open_invoice_of(p_sub text, p_merchant bigint, p_items jsonb, p_customer_user_id bigint,
                                                 p_due date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM tests.as_user(p_sub);
    v_id := (api.create_invoice(p_merchant, 'KES', coalesce(p_due, current_date + 30), p_items,
                                p_customer_user_id) ->> 'id')::bigint;
    PERFORM api.open_invoice(v_id);
    PERFORM tests.as_owner();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.open_invoice_of(text, bigint, jsonb, bigint, date) IS
'An OPEN KES invoice of merchant p_merchant, drafted and opened through the api by its member p_sub, to customer user
p_customer_user_id, due in 30 days unless p_due; its id. Ends acting as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: credit foundation ------------------------------------------------------------------------------------------
-- The credit world (docs/credit.md): an operator (CREDIT_OPERATOR), an APPROVED vendor with an exposure cap and a
-- PENDING one, a scored retailer and an unscored one, each organization registered by its own user through the api.

CREATE OR REPLACE FUNCTION tests.credit_world(p_prefix text, p_exposure_cap numeric DEFAULT 100000, p_score integer DEFAULT 700)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := '{}';
BEGIN
    PERFORM tests.as_service();
    v := v || jsonb_build_object(
        'operator', api.register_user(p_prefix || '-operator', 'ADMIN', p_prefix || ' credit operator'),
        'vendor_owner', api.register_user(p_prefix || '-vendor', 'MERCHANT', p_prefix || ' vendor owner'),
        'vendor_clerk', api.register_user(p_prefix || '-vclerk', 'MERCHANT', p_prefix || ' vendor clerk'),
        'pending_owner', api.register_user(p_prefix || '-pending', 'MERCHANT', p_prefix || ' pending vendor owner'),
        'retailer_owner', api.register_user(p_prefix || '-retailer', 'CUSTOMER', p_prefix || ' retailer owner'),
        'unscored_owner', api.register_user(p_prefix || '-unscored', 'CUSTOMER', p_prefix || ' unscored retailer owner'),
        'stranger', api.register_user(p_prefix || '-stranger', 'CUSTOMER', p_prefix || ' stranger'));
    PERFORM api.assign_role((v ->> 'operator')::bigint, 'CREDIT_OPERATOR');
    PERFORM tests.as_user(p_prefix || '-vendor');
    v := v || jsonb_build_object('vendor', api.register_vendor(p_prefix || ' wholesale', upper(p_prefix) || '-V1', '27', 'SMALL'));
    PERFORM api.add_member((v ->> 'vendor')::bigint, (v ->> 'vendor_clerk')::bigint);
    PERFORM tests.as_user(p_prefix || '-pending');
    v := v || jsonb_build_object('pending', api.register_vendor(p_prefix || ' pending', upper(p_prefix) || '-V2', '29'));
    PERFORM tests.as_user(p_prefix || '-retailer');
    v := v || jsonb_build_object('retailer', api.register_retailer(p_prefix || ' kirana', '27'));
    PERFORM tests.as_user(p_prefix || '-unscored');
    v := v || jsonb_build_object('unscored', api.register_retailer(p_prefix || ' new kirana', '29'));
    PERFORM tests.as_user(p_prefix || '-operator');
    PERFORM api.approve_vendor((v ->> 'vendor')::bigint, p_exposure_cap);
    PERFORM api.set_retailer_score((v ->> 'retailer')::bigint, p_score, 'fixture');
    PERFORM tests.as_owner();
    RETURN v;
END
$$;
COMMENT ON FUNCTION tests.credit_world(text, numeric, integer) IS
'Credit fixtures: users <p>-operator (CREDIT_OPERATOR: credit.manage), <p>-vendor (OWNER of the vendor "<p> wholesale",
code <P>-V1, APPROVED with exposure cap p_exposure_cap INR, state 27, SMALL), <p>-vclerk (its STAFF), <p>-pending (OWNER
of the PENDING vendor <P>-V2), <p>-retailer (OWNER of the retailer "<p> kirana", scored p_score), <p>-unscored (OWNER of
an unscored retailer) and <p>-stranger; returns their ids and the organizations'' (vendor, pending, retailer, unscored)
as JSON. Ends acting as the test''s own role.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;
