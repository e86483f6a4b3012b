-- Tests for schemas/credit/foundation: the organization kinds, credit.manage for the platform admin and the new
-- CREDIT_OPERATOR role, the tables' rules (score 300..900, a decision with its time, a rejection with its reason,
-- append-only score history), and that no API role reads or writes a credit table.
BEGIN;
SELECT plan(10);

SELECT is((SELECT count(*)::int FROM identity.organization_kind WHERE code IN ('VENDOR', 'RETAILER')), 2,
          'VENDOR and RETAILER are organization kinds');
SELECT is((SELECT array_agg(r.code ORDER BY r.code) FROM identity.role_permission rp
             JOIN identity.role r ON r.id = rp.role_id JOIN identity.permission p ON p.id = rp.permission_id
            WHERE p.code = 'credit.manage'), ARRAY['CREDIT_OPERATOR', 'PLATFORM_ADMIN'],
          'credit.manage is held by the platform admin and the credit operator (the seed''s OPERATOR)');

CREATE TEMP TABLE o AS
SELECT identity.open_organization('VENDOR', NULL, 'Fixture vendor',
                                  identity.register_user('cfd-v', 'MERCHANT', 'cfd vendor')) AS v,
       identity.open_organization('RETAILER', NULL, 'Fixture retailer',
                                  identity.register_user('cfd-r', 'CUSTOMER', 'cfd retailer')) AS r;
SELECT throws_ok($$INSERT INTO credit.retailer (organization_id, score, scored_at, state_code)
                   SELECT r, 901, now(), '29' FROM o$$, '23514', NULL, 'a score above 900 is refused by a CHECK');
SELECT throws_ok($$INSERT INTO credit.retailer (organization_id, score, scored_at, state_code)
                   SELECT r, 299, now(), '29' FROM o$$, '23514', NULL, 'a score below 300 too');
INSERT INTO credit.retailer (organization_id, score, scored_at, state_code) SELECT r, 300, now(), '29' FROM o;
SELECT throws_ok($$INSERT INTO credit.vendor (organization_id, vendor_code, status, state_code)
                   SELECT v, 'CFD-1', 'APPROVED', '27' FROM o$$, '23514', NULL, 'a decided vendor has its decision time');
SELECT throws_ok($$INSERT INTO credit.vendor (organization_id, vendor_code, status, decided_at, reason, state_code)
                   SELECT v, 'CFD-1', 'REJECTED', now(), '  ', '27' FROM o$$, '23514', NULL,
                 'a rejected vendor has a reason');
SELECT throws_ok($$INSERT INTO credit.vendor (organization_id, vendor_code, state_code) SELECT v, 'cfd 1', '27' FROM o$$,
                 '23514', NULL, 'a vendor code is upper-case letters, digits and dashes');
INSERT INTO credit.retailer_score (retailer_id, score) SELECT r, 300 FROM o;
SELECT throws_like($$UPDATE credit.retailer_score SET score = 900$$, 'CREDIT_IMMUTABLE:%', 'score history is append-only');
SELECT ok(NOT has_table_privilege('mercato_user', 'credit.vendor', 'SELECT')
          AND NOT has_table_privilege('mercato_service', 'credit.retailer', 'UPDATE')
          AND NOT has_table_privilege('mercato_user', 'credit.retailer_score', 'INSERT'),
          'no API role reads or writes a credit table: the credit functions do');
SELECT is((SELECT minor_units FROM masterdata.currency WHERE code = 'INR'), 2::smallint, 'rupees have two decimals');

SELECT * FROM finish();
ROLLBACK;
