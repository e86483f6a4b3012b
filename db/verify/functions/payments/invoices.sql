-- Verify mercato:functions/payments/invoices on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY[
               'payments.invoice_guard_trg()',
               'payments.invoice_item_frozen_trg()',
               'payments.check_invoice_totals(bigint)',
               'payments.invoice_totals_trg()',
               'payments.invoice_doc(bigint)',
               'payments.event_of_invoice(bigint, text, jsonb)',
               'payments.lock_invoice(bigint, text)',
               'payments.put_invoice_items(bigint, jsonb)',
               'payments.create_invoice(bigint, text, date, jsonb, bigint, text, text, text, numeric)',
               'payments.add_invoice_items(bigint, jsonb)',
               'payments.remove_invoice_item(bigint, integer)',
               'payments.open_invoice(bigint)',
               'payments.close_invoice(bigint, text)',
               'payments.record_invoice_payment(bigint, numeric, text, bigint, bigint)',
               'payments.apply_invoice_payment(bigint, numeric, text, bigint)',
               'payments.pay_invoice_from_wallet(bigint, bigint, numeric, text)',
               'payments.get_invoice(bigint)',
               'payments.list_invoices(bigint, text, boolean, bigint, integer)',
               'payments.my_invoices(text, integer)',
               'payments.mark_overdue_invoices(integer)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY[
               'payments.invoice_guard_trg()',
               'payments.invoice_item_frozen_trg()',
               'payments.check_invoice_totals(bigint)',
               'payments.invoice_totals_trg()',
               'payments.invoice_doc(bigint)',
               'payments.event_of_invoice(bigint, text, jsonb)',
               'payments.lock_invoice(bigint, text)',
               'payments.put_invoice_items(bigint, jsonb)',
               'payments.create_invoice(bigint, text, date, jsonb, bigint, text, text, text, numeric)',
               'payments.add_invoice_items(bigint, jsonb)',
               'payments.remove_invoice_item(bigint, integer)',
               'payments.open_invoice(bigint)',
               'payments.close_invoice(bigint, text)',
               'payments.record_invoice_payment(bigint, numeric, text, bigint, bigint)',
               'payments.apply_invoice_payment(bigint, numeric, text, bigint)',
               'payments.pay_invoice_from_wallet(bigint, bigint, numeric, text)',
               'payments.get_invoice(bigint)',
               'payments.list_invoices(bigint, text, boolean, bigint, integer)',
               'payments.my_invoices(text, integer)',
               'payments.mark_overdue_invoices(integer)']) AS f;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled
                 <> 'D')::int
  FROM (VALUES ('payments.invoice', 'invoice_guard', 'payments.invoice_guard_trg()'),
               ('payments.invoice', 'invoice_no_delete', 'core.refuse_change_trg()'),
               ('payments.invoice', 'invoice_no_truncate', 'core.refuse_change_trg()'),
               ('payments.invoice', 'invoice_totals', 'payments.invoice_totals_trg()'),
               ('payments.invoice_item', 'invoice_item_frozen', 'payments.invoice_item_frozen_trg()'),
               ('payments.invoice_item', 'invoice_item_no_truncate', 'core.refuse_change_trg()'),
               ('payments.invoice_item', 'invoice_item_totals', 'payments.invoice_totals_trg()')) AS x(t, n, f);

ROLLBACK;
