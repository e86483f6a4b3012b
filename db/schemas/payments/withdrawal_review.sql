-- Deploy mercato:schemas/payments/withdrawal_review to pg
-- The error of the back office's review of a flagged withdrawal (functions/payments/withdrawal_review).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_WITHDRAWAL_STATE', 'payments', 'PT409', 'the withdrawal is not in a state that allows this', NULL,
 'Only a FLAGGED withdrawal (the rail confirmed another amount or account) is resolved by the back office; a PENDING one waits for the rail''s answer or the sweeper, a COMPLETED or FAILED one is final.');

COMMIT;
