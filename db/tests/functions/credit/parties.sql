-- Tests for functions/credit/parties: registration (an organization of the kind, the caller its OWNER), the vendor
-- approval machine (once, by credit.manage, a reason on rejection, audited), retailer scores (credit.manage or service,
-- recorded), and who sees which party.
BEGIN;
SELECT plan(22);

CREATE TEMP TABLE w AS SELECT tests.credit_world('cpt') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT is((SELECT (o.kind, m.role, m.user_id = pg_temp.u('vendor_owner'), v.vendor_code, v.status, v.msme_category)::text
             FROM credit.vendor v JOIN identity.organization o ON o.id = v.organization_id
             JOIN identity.membership m ON m.organization_id = o.id AND m.role = 'OWNER'
            WHERE v.organization_id = pg_temp.u('vendor')), '(VENDOR,OWNER,t,CPT-V1,APPROVED,SMALL)',
          'a registered vendor is a VENDOR organization whose registering user is OWNER');
SELECT is((SELECT (o.kind, m.user_id = pg_temp.u('retailer_owner'), r.score, r.state_code)::text
             FROM credit.retailer r JOIN identity.organization o ON o.id = r.organization_id
             JOIN identity.membership m ON m.organization_id = o.id
            WHERE r.organization_id = pg_temp.u('retailer')), '(RETAILER,t,700,27)', 'a retailer likewise');

SELECT tests.as_user('cpt-stranger');
SELECT throws_like($$SELECT api.register_vendor('Again', 'cpt-v1', '27')$$, 'CREDIT_VENDOR_CODE_TAKEN:%',
                   'vendor codes are unique (upper-cased first)');
SELECT throws_like($$SELECT api.register_vendor('X', 'CPT V9', '27')$$, 'CREDIT_INVALID_INPUT:%', 'a code has no spaces');
SELECT throws_like($$SELECT api.register_vendor('X', 'CPT-V9', '7')$$, 'CREDIT_INVALID_INPUT:%',
                   'a GST state code has two digits');
SELECT throws_like($$SELECT api.register_retailer('X', 'KA')$$, 'CREDIT_INVALID_INPUT:%', 'for retailers too');
SELECT throws_like($$SELECT api.approve_vendor(pg_temp.u('pending'), 1000)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a user without credit.manage approves nothing');
SELECT throws_like($$SELECT api.set_retailer_score(pg_temp.u('unscored'), 800)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'nor scores a retailer');
SELECT tests.as_user('cpt-pending');
SELECT throws_like($$SELECT api.approve_vendor(pg_temp.u('pending'), 1000)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a vendor''s own owner cannot approve it');

SELECT tests.as_user('cpt-operator');
SELECT throws_like($$SELECT api.reject_vendor(pg_temp.u('pending'), '   ')$$, 'CREDIT_INVALID_INPUT:%',
                   'a rejection needs a reason');
SELECT throws_like($$SELECT api.approve_vendor(pg_temp.u('vendor'), 5)$$, 'CREDIT_VENDOR_STATE:%',
                   'an approved vendor is not approved again');
SELECT lives_ok($$SELECT api.reject_vendor(pg_temp.u('pending'), 'GSTIN does not match')$$,
                'the credit operator rejects a pending vendor with a reason');
SELECT throws_like($$SELECT api.approve_vendor(pg_temp.u('pending'), 5)$$, 'CREDIT_VENDOR_STATE:%',
                   'a rejection is final');
SELECT tests.as_owner();
SELECT is((SELECT (status, reason, decided_by = pg_temp.u('operator'), decided_at IS NOT NULL)::text
             FROM credit.vendor WHERE organization_id = pg_temp.u('pending')),
          '(REJECTED,"GSTIN does not match",t,t)', 'the rejection records its reason, who and when');
SELECT is((SELECT count(*)::int FROM audit.event WHERE module = 'credit' AND entity_type = 'credit.vendor'
              AND entity_id = pg_temp.u('pending')::text AND action = 'UPDATE'), 1, 'and is audited');
SELECT throws_like($$UPDATE credit.vendor SET status = 'PENDING' WHERE organization_id = pg_temp.u('pending')$$,
                   'CREDIT_VENDOR_STATE:%', 'the machine holds for every writer, not only the functions');
SELECT throws_like($$DELETE FROM credit.vendor WHERE organization_id = pg_temp.u('pending')$$, 'CREDIT_IMMUTABLE:%',
                   'a vendor is never deleted');

SELECT tests.as_service();
SELECT lives_ok($$SELECT api.set_retailer_score(pg_temp.u('unscored'), 560, 'first score', '{"utilisation": 0}')$$,
                'the back office (the scoring job) scores a retailer');
SELECT tests.as_owner();
SELECT is((SELECT (r.score, s.note, s.inputs ->> 'utilisation', s.set_by IS NULL)::text FROM credit.retailer r
             JOIN credit.retailer_score s ON s.retailer_id = r.organization_id
            WHERE r.organization_id = pg_temp.u('unscored')), '(560,"first score",0,t)',
          'each score is recorded with its note and inputs');

SELECT tests.as_user('cpt-vclerk');
SELECT is((SELECT array_agg(vendor_id) FROM api.credit_vendors()), ARRAY[pg_temp.u('vendor')],
          'a vendor''s member sees its own vendor only');
SELECT is((SELECT count(*)::int FROM api.credit_retailers()), 0, 'and no retailer');
SELECT tests.as_user('cpt-operator');
SELECT is((SELECT count(*)::int FROM api.credit_vendors() WHERE vendor_id IN (pg_temp.u('vendor'), pg_temp.u('pending')))
          + (SELECT count(*)::int FROM api.credit_retailers() WHERE risk_category IS NOT NULL
               AND retailer_id IN (pg_temp.u('retailer'), pg_temp.u('unscored'))), 4,
          'credit.manage sees every vendor and retailer, with the risk category');

SELECT * FROM finish();
ROLLBACK;
