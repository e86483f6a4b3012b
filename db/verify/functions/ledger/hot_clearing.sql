-- Verify mercato:functions/ledger/hot_clearing on pg
-- Fails (division by zero) when the hot-account policy trigger still refuses negative-balance hot accounts or is
-- missing, when post_debit or open_account is the previous version, or when an API role may execute one.

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = 'account_hot_policy' AND t.tgrelid = 'ledger.account'::regclass
               AND t.tgfoid = 'ledger.account_hot_policy_trg()'::regprocedure AND t.tgenabled <> 'D'
               AND pg_catalog.pg_get_triggerdef(t.oid) NOT LIKE '%allow_negative)%')::int;
SELECT 1 / (position('post_credit_slot(p_account_id, -p_amount' IN pg_catalog.pg_get_functiondef(
                'ledger.post_debit(bigint, numeric, text)'::regprocedure)) > 0)::int;
SELECT 1 / (position('cannot have an overdraft limit' IN pg_catalog.pg_get_functiondef(
                'ledger.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb)'::regprocedure)) > 0)::int;
SELECT 1 / (position('cannot have an overdraft limit' IN pg_catalog.pg_get_functiondef(
                'ledger.account_hot_policy_trg()'::regprocedure)) > 0)::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['ledger.post_debit(bigint, numeric, text)'::regprocedure,
                    'ledger.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb)'::regprocedure,
                    'ledger.account_hot_policy_trg()'::regprocedure]) AS f;

ROLLBACK;
