-- Verify mercato:schemas/payments/foundation on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT account_id, owner_type, user_id, organization_id, currency, created_at
  FROM payments.wallet WHERE false;
SELECT id, user_id, organization_id, level, note, set_by, set_at
  FROM payments.kyc WHERE false;
SELECT id, organization_id, operation, rail, currency, percent, fixed, min_fee, max_fee, effective_from,
    created_by, created_at
  FROM payments.fee_rule WHERE false;
SELECT id, reference, transaction_id, operation, rail, organization_id, currency, base_amount, fee, fee_rule_id,
    subject_type, subject_id, charged_at
  FROM payments.fee_charge WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.kyc_set_by_idx', 'payments.fee_rule_created_by_idx',
      'payments.fee_charge_transaction_id_idx', 'payments.fee_charge_organization_id_idx',
      'payments.fee_charge_fee_rule_id_idx', 'payments.fee_charge_charged_at_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'payments.wallet', unnest(ARRAY['wallet_account_id_fkey', 'wallet_currency_fkey',
      'wallet_organization_id_currency_key', 'wallet_organization_id_fkey', 'wallet_owner_check',
      'wallet_owner_type_check', 'wallet_pkey', 'wallet_user_id_currency_key', 'wallet_user_id_fkey'])
        UNION ALL
        SELECT 'payments.kyc', unnest(ARRAY['kyc_level_check', 'kyc_note_check', 'kyc_organization_id_fkey',
            'kyc_organization_id_key', 'kyc_owner_check', 'kyc_pkey', 'kyc_set_by_fkey', 'kyc_user_id_fkey',
            'kyc_user_id_key'])
        UNION ALL
        SELECT 'payments.fee_rule', unnest(ARRAY['fee_rule_created_by_fkey', 'fee_rule_currency_fkey',
            'fee_rule_fixed_check', 'fee_rule_max_fee_check', 'fee_rule_min_fee_check', 'fee_rule_operation_check',
            'fee_rule_organization_id_fkey', 'fee_rule_percent_check', 'fee_rule_pkey', 'fee_rule_rail_check',
            'fee_rule_version_key'])
        UNION ALL
        SELECT 'payments.fee_charge', unnest(ARRAY['fee_charge_base_amount_check', 'fee_charge_currency_fkey',
            'fee_charge_fee_check', 'fee_charge_fee_rule_id_fkey', 'fee_charge_operation_check',
            'fee_charge_organization_id_fkey', 'fee_charge_pkey', 'fee_charge_reference_key',
            'fee_charge_subject_type_check', 'fee_charge_transaction_id_fkey'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled
                 <> 'D')::int
  FROM (VALUES ('payments.wallet', 'wallet_fixed', 'core.refuse_change_trg()'),
               ('payments.wallet', 'wallet_no_truncate', 'core.refuse_change_trg()'),
               ('payments.kyc', 'kyc_audit', 'audit.track()'),
               ('payments.fee_rule', 'fee_rule_audit', 'audit.track()'),
               ('payments.fee_rule', 'fee_rule_fixed', 'core.refuse_change_trg()'),
               ('payments.fee_rule', 'fee_rule_no_truncate', 'core.refuse_change_trg()'),
               ('payments.fee_charge', 'fee_charge_fixed', 'core.refuse_change_trg()'),
               ('payments.fee_charge', 'fee_charge_no_truncate', 'core.refuse_change_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.wallet', 'payments.kyc', 'payments.fee_rule', 'payments.fee_charge']) AS t;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_INVALID_INPUT', 'PAYMENTS_UNKNOWN_WALLET', 'PAYMENTS_LIMITS_UNDEFINED',
                    'PAYMENTS_IMMUTABLE']) AS c;
SELECT 1 / (SELECT count(*) FROM identity.organization_kind WHERE code = 'MERCHANT')::int;
SELECT 1 / (SELECT count(*) FROM identity.permission WHERE code = 'payments.manage' AND NOT tenant_grantable)::int;
SELECT 1 / (SELECT count(*) FROM identity.role_permission rp JOIN identity.role r ON r.id = rp.role_id
              JOIN identity.permission p ON p.id = rp.permission_id
             WHERE r.code = 'PLATFORM_ADMIN' AND p.code = 'payments.manage')::int;
SELECT 1 / (SELECT count(*) FROM masterdata.policy_version WHERE policy_code = 'PAYMENTS_WALLET_LIMITS')::int;

ROLLBACK;
