-- Verify mercato:functions/api/payments_escrow on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.open_shop(bigint, core.name_text, core.name_text, core.name_text)'),
               ('mercato_service', 'api.open_shop(bigint, core.name_text, core.name_text, core.name_text)'),
               ('mercato_user', 'api.place_shop_order(bigint, core.json_doc, core.json_doc)'),
               ('mercato_user', 'api.pay_shop_order(bigint, numeric)'),
               ('mercato_user', 'api.get_shop_order(bigint)'),
               ('mercato_service', 'api.get_shop_order(bigint)'),
               ('mercato_user', 'api.confirm_delivery(bigint)'),
               ('mercato_user', 'api.open_dispute(bigint, core.long_text)'),
               ('mercato_user', 'api.resolve_dispute(bigint, numeric, core.long_text)'),
               ('mercato_service', 'api.resolve_dispute(bigint, numeric, core.long_text)'),
               ('mercato_user', 'api.refund_escrow(bigint, core.long_text)'),
               ('mercato_user', 'api.get_escrow(bigint)'),
               ('mercato_service', 'api.get_escrow(bigint)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_service', 'api.place_shop_order(bigint, core.json_doc, core.json_doc)'),
               ('mercato_service', 'api.pay_shop_order(bigint, numeric)'),
               ('mercato_service', 'api.confirm_delivery(bigint)'),
               ('mercato_service', 'api.open_dispute(bigint, core.long_text)'),
               ('mercato_service', 'api.refund_escrow(bigint, core.long_text)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.open_shop(bigint, core.name_text, core.name_text, core.name_text)',
                    'api.place_shop_order(bigint, core.json_doc, core.json_doc)', 'api.pay_shop_order(bigint, numeric)',
                    'api.get_shop_order(bigint)', 'api.confirm_delivery(bigint)',
                    'api.open_dispute(bigint, core.long_text)',
                    'api.resolve_dispute(bigint, numeric, core.long_text)', 'api.get_escrow(bigint)',
                    'api.refund_escrow(bigint, core.long_text)']) AS f;

ROLLBACK;
