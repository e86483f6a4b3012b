-- Revert mercato:functions/payments/rails from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.sweep_rail_instructions(integer);
DROP FUNCTION payments.send_status_query(bigint, text);
DROP FUNCTION payments.send_instruction(text, text, text, bigint, numeric, text);
DROP FUNCTION payments.new_provider_id(text);
DROP FUNCTION payments.rails();
DROP FUNCTION payments.new_rail_path_token(text);
DROP FUNCTION payments.add_rail_hmac_secret(text, text, boolean);
DROP FUNCTION payments.set_rail(text, text, text, text, text, integer, integer, text[], text);

COMMIT;
