-- Revert mercato:functions/identity/verification from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION identity.reset_password(text, text), identity.request_password_reset(text, text),
              identity.verify_login(text), identity.request_verification(text), identity.consume_token(text, text),
              identity.send_login_token(bigint, text), identity.token_wait(bigint, text);

COMMIT;
