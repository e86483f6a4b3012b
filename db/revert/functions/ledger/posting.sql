-- Revert mercato:functions/ledger/posting from pg

BEGIN;

DROP FUNCTION ledger.apply_legs(bigint, bigint[], numeric[], text[]);
DROP FUNCTION ledger.post_credit(bigint, numeric, text);
DROP FUNCTION ledger.post_credit_slot(bigint, numeric, text, smallint);
DROP FUNCTION ledger.cached_slots(text, bigint);
DROP FUNCTION ledger.build_reference(text, bigint, text, text[]);
DROP FUNCTION ledger.post_debit(bigint, numeric, text);
DROP FUNCTION ledger.refuse(bigint, numeric, text, boolean);
DROP FUNCTION ledger.available(bigint);
DROP FUNCTION ledger.replay(text, uuid);
DROP FUNCTION ledger.check_memo(text);
DROP FUNCTION ledger.check_amount(numeric, text);
DROP FUNCTION ledger.check_reference(text);
DROP FUNCTION ledger.parse_id(jsonb);
DROP FUNCTION ledger.parse_amount(jsonb);

COMMIT;
