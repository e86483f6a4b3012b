-- Revert mercato:functions/payments/invoices from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER invoice_item_totals ON payments.invoice_item;
DROP TRIGGER invoice_totals ON payments.invoice;
DROP TRIGGER invoice_item_no_truncate ON payments.invoice_item;
DROP TRIGGER invoice_item_frozen ON payments.invoice_item;
DROP TRIGGER invoice_no_truncate ON payments.invoice;
DROP TRIGGER invoice_no_delete ON payments.invoice;
DROP TRIGGER invoice_guard ON payments.invoice;
DROP FUNCTION payments.mark_overdue_invoices(integer);
DROP FUNCTION payments.my_invoices(text, integer);
DROP FUNCTION payments.list_invoices(bigint, text, boolean, bigint, integer);
DROP FUNCTION payments.get_invoice(bigint);
DROP FUNCTION payments.pay_invoice_from_wallet(bigint, bigint, numeric, text);
DROP FUNCTION payments.apply_invoice_payment(bigint, numeric, text, bigint);
DROP FUNCTION payments.record_invoice_payment(bigint, numeric, text, bigint, bigint);
DROP FUNCTION payments.close_invoice(bigint, text);
DROP FUNCTION payments.open_invoice(bigint);
DROP FUNCTION payments.remove_invoice_item(bigint, integer);
DROP FUNCTION payments.add_invoice_items(bigint, jsonb);
DROP FUNCTION payments.create_invoice(bigint, text, date, jsonb, bigint, text, text, text, numeric);
DROP FUNCTION payments.put_invoice_items(bigint, jsonb);
DROP FUNCTION payments.lock_invoice(bigint, text);
DROP FUNCTION payments.event_of_invoice(bigint, text, jsonb);
DROP FUNCTION payments.invoice_doc(bigint);
DROP FUNCTION payments.invoice_totals_trg();
DROP FUNCTION payments.check_invoice_totals(bigint);
DROP FUNCTION payments.invoice_item_frozen_trg();
DROP FUNCTION payments.invoice_guard_trg();

COMMIT;
