-- Verify mercato:functions/credit/parties on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['credit.vendor_status_trg()', 'credit.is_manager()', 'credit.require_vendor(bigint, text)',
                    'credit.require_retailer(bigint, text)', 'credit.register_vendor(text, text, text, text, text)',
                    'credit.register_retailer(text, text)', 'credit.approve_vendor(bigint, numeric)',
                    'credit.reject_vendor(bigint, text)', 'credit.set_retailer_score(bigint, integer, text, jsonb)',
                    'credit.vendors(text)', 'credit.retailers()']::regprocedure[]) AS f;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('credit.vendor', 'vendor_status', 'credit.vendor_status_trg()'),
               ('credit.vendor', 'vendor_no_delete', 'core.refuse_change_trg()'),
               ('credit.vendor', 'vendor_no_truncate', 'core.refuse_change_trg()'),
               ('credit.retailer', 'retailer_no_delete', 'core.refuse_change_trg()'),
               ('credit.retailer', 'retailer_no_truncate', 'core.refuse_change_trg()')) AS x(t, n, f);

ROLLBACK;
