-- Revert mercato:functions/identity/credentials from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER user_account_tokens ON identity.user_account;
DROP FUNCTION identity.user_account_tokens_trg(), identity.change_password(text, text), identity.revoke_all_tokens(bigint),
              identity.end_sessions(bigint, text), identity.sign_up(text, text, text, text, text), identity.add_login(text),
              identity.add_login_identifier(bigint, text), identity.hash_password(text), identity.check_password(text, text),
              identity.is_common_password(text), identity.parse_login(text);

COMMIT;
