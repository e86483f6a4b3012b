-- Deploy mercato:functions/api/payments_review to pg
-- API: the back office resolves a flagged withdrawal (functions/payments/withdrawal_review).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.resolve_flagged_withdrawal(p_withdrawal_id bigint, p_outcome core.name_text,
                                                          p_reason core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.resolve_flagged_withdrawal(p_withdrawal_id, p_outcome, p_reason);
SELECT core.wrap('api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text)',
                 'payments.resolve_flagged_withdrawal(bigint, text, text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

COMMIT;
