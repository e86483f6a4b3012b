-- Revert mercato:functions/store/distributors from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION store.set_distributor_item(bigint, bigint, numeric, text, boolean, bigint);
DROP FUNCTION store.update_distributor(bigint, text, jsonb, text, integer, text, numeric, integer, boolean, bigint);
DROP FUNCTION store.create_distributor(text, text, jsonb, text, integer, text, numeric, integer, bigint);
DROP FUNCTION store.check_days(text, integer);
DROP FUNCTION store.check_text(text, text, integer);
DROP FUNCTION store.check_amount(bigint, text, numeric);
DROP FUNCTION store.purchasing_tenant(bigint);

COMMIT;
