-- Verify mercato:schemas/credit/foundation on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT organization_id, vendor_code, status, reason, decided_by, decided_at, currency, exposure_cap, msme_category,
       state_code, created_at, updated_at
  FROM credit.vendor WHERE false;
SELECT organization_id, score, scored_at, last_order_at, state_code, created_at FROM credit.retailer WHERE false;
SELECT id, retailer_id, score, note, inputs, set_by, set_at FROM credit.retailer_score WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['credit.vendor_decided_by_idx', 'credit.retailer_score_retailer_id_idx',
                    'credit.retailer_score_set_by_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'credit.vendor', unnest(ARRAY['vendor_pkey', 'vendor_organization_id_fkey', 'vendor_vendor_code_key',
            'vendor_vendor_code_check', 'vendor_status_check', 'vendor_reason_check', 'vendor_decided_by_fkey',
            'vendor_currency_fkey', 'vendor_exposure_cap_check', 'vendor_msme_category_check', 'vendor_state_code_check',
            'vendor_decision_check', 'vendor_reason_required_check'])
        UNION ALL
        SELECT 'credit.retailer', unnest(ARRAY['retailer_pkey', 'retailer_organization_id_fkey', 'retailer_score_check',
            'retailer_state_code_check', 'retailer_scored_check'])
        UNION ALL
        SELECT 'credit.retailer_score', unnest(ARRAY['retailer_score_pkey', 'retailer_score_retailer_id_fkey',
            'retailer_score_score_check', 'retailer_score_note_check', 'retailer_score_inputs_check',
            'retailer_score_set_by_fkey'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('credit.vendor', 'vendor_audit', 'audit.track()'),
               ('credit.retailer', 'retailer_audit', 'audit.track()'),
               ('credit.retailer_score', 'retailer_score_fixed', 'core.refuse_change_trg()'),
               ('credit.retailer_score', 'retailer_score_no_truncate', 'core.refuse_change_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['credit.vendor', 'credit.retailer', 'credit.retailer_score']) AS t;
SELECT 1 / ((SELECT count(*) FROM identity.organization_kind WHERE code IN ('VENDOR', 'RETAILER')) = 2)::int;
SELECT 1 / (SELECT count(*) FROM identity.permission WHERE code = 'credit.manage' AND NOT tenant_grantable)::int;
SELECT 1 / (SELECT count(*) FROM identity.role WHERE code = 'CREDIT_OPERATOR' AND tenant_id IS NULL)::int;
SELECT 1 / ((SELECT count(*) FROM identity.role_permission rp JOIN identity.role r ON r.id = rp.role_id
              JOIN identity.permission p ON p.id = rp.permission_id
             WHERE r.code IN ('PLATFORM_ADMIN', 'CREDIT_OPERATOR') AND r.tenant_id IS NULL
               AND p.code = 'credit.manage') = 2)::int;
SELECT 1 / (SELECT count(*) FROM masterdata.currency WHERE code = 'INR')::int;
SELECT 1 / (SELECT count(*) FROM masterdata.policy_version WHERE policy_code = 'CREDIT_RISK_BANDS')::int;
SELECT 1 / (SELECT count(*) FROM core.error WHERE code = 'CREDIT_IMMUTABLE')::int;

ROLLBACK;
