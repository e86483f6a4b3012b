-- Verify mercato:functions/api/credit_parties on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.register_vendor(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)'),
               ('mercato_user', 'api.register_retailer(core.name_text, core.name_text)'),
               ('mercato_user', 'api.approve_vendor(bigint, numeric)'),
               ('mercato_service', 'api.approve_vendor(bigint, numeric)'),
               ('mercato_user', 'api.reject_vendor(bigint, core.long_text)'),
               ('mercato_service', 'api.reject_vendor(bigint, core.long_text)'),
               ('mercato_user', 'api.set_retailer_score(bigint, integer, core.long_text, core.json_doc)'),
               ('mercato_service', 'api.set_retailer_score(bigint, integer, core.long_text, core.json_doc)'),
               ('mercato_user', 'api.credit_vendors(core.name_text)'),
               ('mercato_service', 'api.credit_vendors(core.name_text)'),
               ('mercato_user', 'api.credit_retailers()'),
               ('mercato_service', 'api.credit_retailers()'),
               ('mercato_user', 'api.credit_risk_band(integer, core.name_text)'),
               ('mercato_service', 'api.credit_risk_band(integer, core.name_text)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_service', 'api.register_vendor(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)'),
               ('mercato_service', 'api.register_retailer(core.name_text, core.name_text)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.register_vendor(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)',
                    'api.register_retailer(core.name_text, core.name_text)', 'api.approve_vendor(bigint, numeric)',
                    'api.reject_vendor(bigint, core.long_text)',
                    'api.set_retailer_score(bigint, integer, core.long_text, core.json_doc)',
                    'api.credit_vendors(core.name_text)', 'api.credit_retailers()',
                    'api.credit_risk_band(integer, core.name_text)']) AS f;

ROLLBACK;
