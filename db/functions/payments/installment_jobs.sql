-- Deploy mercato:functions/payments/installment_jobs to pg
-- The installments' periodic duty: every 15 minutes, installments past their due date are debited from the buyers'
-- wallets; those that cannot be go LATE with the policy's late fee (payments.collect_due_installments).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('payments.installments_auto_debit', '*/15 * * * *', 'payments.collect_due_installments(integer)',
    'Installments: debit the buyer''s wallet for every open installment past its due date; one that cannot be paid '
    'goes LATE with the PAYMENTS_INSTALLMENTS late fee and is tried again next run '
    '(payments.collect_due_installments).');

COMMIT;
