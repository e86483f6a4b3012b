-- Deploy mercato:functions/payments/billing_jobs to pg
-- The periodic duty of merchant billing (docs/jobs.md): open invoices past their due date marked overdue.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('payments.invoice_overdue', '7 * * * *', 'payments.mark_overdue_invoices(integer)',
    'Invoices: OPEN invoices whose due date (UTC) has passed are marked overdue (overdue_at) with an invoice.overdue '
    'merchant event, 1,000 a run (payments.mark_overdue_invoices).');

COMMIT;
