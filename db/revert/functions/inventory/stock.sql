-- Revert mercato:functions/inventory/stock from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.set_channel_buffer(bigint, bigint, text, integer, bigint);
DROP FUNCTION inventory.set_stock_settings(bigint, bigint, integer, integer, integer, timestamptz, bigint);
DROP FUNCTION inventory.set_unavailable(bigint, bigint, integer, bigint);
DROP FUNCTION inventory.transfer(bigint, bigint, bigint, integer, text, bigint);
DROP FUNCTION inventory.count(bigint, bigint, integer, integer, timestamptz, bigint);
DROP FUNCTION inventory.adjust(bigint, bigint, integer, text, text, text, text, bigint);
DROP FUNCTION inventory.refuse_insufficient(bigint, bigint, bigint, integer, text);
DROP FUNCTION inventory.receive(bigint, bigint, integer, numeric, text, text, text, text, text, bigint);
DROP FUNCTION inventory.receive_in(bigint, bigint, bigint, integer, numeric, text, text, text, text, text);
DROP FUNCTION inventory.check_quantity(text, integer, integer);

COMMIT;
