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

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;

-- fixtures: marketplace and delivery ---------------------------------------------------------------------------------
-- Builders of the rental product's usual fixtures, made through the api by the caller who would make each step (the
-- user for its own party, RFQ, bid or session; the back office for registrations, reviews and top-ups), so that every
-- rule on the way holds. Call them as the test's own role (the database owner, outside tests.as_user); each returns
-- to that role with no claims set. They return ids; a test reads the rest from the tables.

CREATE OR REPLACE FUNCTION tests.as_self()
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SET LOCAL ROLE NONE;
    SELECT set_config('request.jwt.claims', '', true);
$$;
COMMENT ON FUNCTION tests.as_self() IS
'Back to the test''s own (session) role with no claims for the rest of the transaction: SET LOCAL ROLE NONE,
request.jwt.claims emptied. Where the builders end.';

CREATE OR REPLACE FUNCTION tests.new_business(p_sub text, p_name text DEFAULT NULL, p_verified boolean DEFAULT true,
                                              p_tenant_code text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_tenant bigint := (SELECT t.id FROM identity.tenant t WHERE t.code = p_tenant_code);
    v_id     bigint;
BEGIN
    PERFORM tests.as_service();
    PERFORM api.register_user(p_sub, 'BUSINESS', coalesce(p_name, p_sub), v_tenant);
    PERFORM tests.as_user(p_sub);
    v_id := api.register_business(coalesce(p_name, p_sub), 'LOGISTICS');
    IF p_verified THEN
        PERFORM tests.as_service();
        PERFORM api.set_business_kyb(v_id, 'VERIFIED');
    END IF;
    PERFORM tests.as_self();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.new_business(text, text, boolean, text) IS
'A business user p_sub (in tenant p_tenant_code, default none) and its business (LOGISTICS, named p_name or p_sub),
registered by the back office and by the user; KYB VERIFIED by the back office unless p_verified is false. Returns
the business id.';

CREATE OR REPLACE FUNCTION tests.new_provider(p_sub text, p_name text DEFAULT NULL, p_verified boolean DEFAULT true,
                                              p_tenant_code text DEFAULT NULL)
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
    v_id := api.register_provider('COMPANY', coalesce(p_name, p_sub));
    IF p_verified THEN
        PERFORM tests.as_service();
        PERFORM api.set_provider_verification(v_id, 'VERIFIED');
    END IF;
    PERFORM tests.as_self();
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION tests.new_provider(text, text, boolean, text) IS
'A provider user p_sub (in tenant p_tenant_code, default none) and its provider (COMPANY, named p_name or p_sub);
VERIFIED by the back office unless p_verified is false. Returns the provider id.';

CREATE OR REPLACE FUNCTION tests.insured_vehicle(p_provider_sub text, p_plate text, p_vehicle_type text DEFAULT 'SEDAN',
                                                 p_seats integer DEFAULT 4)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    v_vehicle   bigint;
    v_insurance bigint;
BEGIN
    PERFORM tests.as_user(p_provider_sub);
    v_vehicle := api.add_vehicle(p_plate, p_vehicle_type, p_seats);
    v_insurance := api.add_vehicle_insurance(v_vehicle, 'COMPREHENSIVE', 'Nyala', current_date, current_date + 365,
                                             'https://docs.example/policy.pdf');
    PERFORM tests.as_service();
    PERFORM api.set_vehicle_status(v_vehicle, 'ACTIVE');
    PERFORM api.verify_insurance(v_insurance, 'VERIFIED');
    PERFORM tests.as_self();
    RETURN v_vehicle;
END
$$;
COMMENT ON FUNCTION tests.insured_vehicle(text, text, text, integer) IS
'A vehicle of the provider user p_provider_sub, added by the provider with a comprehensive policy covering today and
the next 365 days; activated and the policy VERIFIED by the back office. Returns the vehicle id.';

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
    PERFORM tests.as_self();
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
    PERFORM tests.as_self();
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
    PERFORM tests.as_self();
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
    PERFORM tests.as_self();
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
    PERFORM tests.as_self();
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
BEGIN
    PERFORM tests.as_user(p_provider_sub);
    RETURN QUERY SELECT s.session_id, s.code FROM api.start_delivery_session(p_assignment_id, p_session_type) s;
    PERFORM tests.as_self();
END
$$;
COMMENT ON FUNCTION tests.delivery_session(text, bigint, text) IS
'The provider user p_provider_sub opens a DELIVERY (default) or RETURN session of its assignment
(api.start_delivery_session, SMS). Returns the session id and the code, which exists nowhere else.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;
