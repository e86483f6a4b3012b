-- Verify mercato:functions/ledger/posting on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast
-- raises) or executable by an API role (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['ledger.parse_amount(jsonb)'::regprocedure,
                    'ledger.parse_id(jsonb)'::regprocedure,
                    'ledger.check_reference(text)'::regprocedure,
                    'ledger.check_amount(numeric, text)'::regprocedure,
                    'ledger.check_memo(text)'::regprocedure,
                    'ledger.replay(text, uuid)'::regprocedure,
                    'ledger.available(bigint)'::regprocedure,
                    'ledger.refuse(bigint, numeric, text, boolean)'::regprocedure,
                    'ledger.post_debit(bigint, numeric, text)'::regprocedure,
                    'ledger.build_reference(text, bigint, text, text[])'::regprocedure,
                    'ledger.cached_slots(text, bigint)'::regprocedure,
                    'ledger.post_credit_slot(bigint, numeric, text, smallint)'::regprocedure,
                    'ledger.post_credit(bigint, numeric, text)'::regprocedure,
                    'ledger.apply_legs(bigint, bigint[], numeric[], text[])'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
