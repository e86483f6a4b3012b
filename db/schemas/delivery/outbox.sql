-- Deploy mercato:schemas/delivery/outbox to pg
-- A one-time code goes to the business through the outbox (functions/delivery/notify): by SMS to the phone, by e-mail
-- to the address of the user who registered the business (identity.user_account; the seed's user_account has an e-mail
-- and an optional phone, its business none of its own). A business whose user has no contact on the channel is
-- refused with the error code below, before any code exists: a code nobody can receive is never issued.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('DELIVERY_NO_CONTACT', 'delivery', 'PT409', 'the business has no contact on this channel',
 'the business''s user registers a phone (SMS) or an e-mail (EMAIL), or ask for the other channel',
 'A one-time code is sent to the phone (SMS) or e-mail (EMAIL) of the user who registered the business; without one no code is issued.');

COMMIT;
