-- Revert mercato:functions/credit/parties from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION credit.retailers();
DROP FUNCTION credit.vendors(text);
DROP FUNCTION credit.set_retailer_score(bigint, integer, text, jsonb);
DROP FUNCTION credit.reject_vendor(bigint, text);
DROP FUNCTION credit.approve_vendor(bigint, numeric);
DROP FUNCTION credit.register_retailer(text, text);
DROP FUNCTION credit.register_vendor(text, text, text, text, text);
DROP FUNCTION credit.require_retailer(bigint, text);
DROP FUNCTION credit.require_vendor(bigint, text);
DROP FUNCTION credit.is_manager();
DROP TRIGGER retailer_no_truncate ON credit.retailer;
DROP TRIGGER retailer_no_delete ON credit.retailer;
DROP TRIGGER vendor_no_truncate ON credit.vendor;
DROP TRIGGER vendor_no_delete ON credit.vendor;
DROP TRIGGER vendor_status ON credit.vendor;
DROP FUNCTION credit.vendor_status_trg();

COMMIT;
