-- Deploy mercato:functions/api/payments_billing to pg
-- The HTTP API of merchants, invoices and merchant webhooks (functions/payments/merchants, invoices, merchant_events).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- merchants
CREATE OR REPLACE FUNCTION api.register_merchant(p_name core.name_text, p_currency core.name_text DEFAULT 'KES')
RETURNS TABLE (organization_id bigint, wallet_id bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.organization_id, r.wallet_id FROM payments.register_merchant(p_name, p_currency) r;
END;
SELECT core.wrap('api.register_merchant(core.name_text, core.name_text)', 'payments.register_merchant(text, text)',
                 'A signed-in user (it becomes the merchant''s OWNER).', 'mercato_user');

-- invoices
CREATE OR REPLACE FUNCTION api.create_invoice(p_organization_id bigint, p_currency core.name_text,
                                              p_due_date core.finite_date, p_items core.json_doc DEFAULT '[]',
                                              p_customer_user_id bigint DEFAULT NULL,
                                              p_customer_email core.name_text DEFAULT NULL,
                                              p_customer_name core.name_text DEFAULT NULL,
                                              p_memo core.long_text DEFAULT '', p_expected_total numeric DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.create_invoice(p_organization_id, p_currency, p_due_date, p_items, p_customer_user_id, p_customer_email,
                               p_customer_name, p_memo, p_expected_total);
SELECT core.wrap('api.create_invoice(bigint, core.name_text, core.finite_date, core.json_doc, bigint, core.name_text, core.name_text, core.long_text, numeric)',
                 'payments.create_invoice(bigint, text, date, jsonb, bigint, text, text, text, numeric)',
                 'The merchant''s STAFF, ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_invoice_items(p_invoice_id bigint, p_items core.json_doc)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.add_invoice_items(p_invoice_id, p_items);
SELECT core.wrap('api.add_invoice_items(bigint, core.json_doc)', 'payments.add_invoice_items(bigint, jsonb)',
                 'The merchant''s STAFF, ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.remove_invoice_item(p_invoice_id bigint, p_position integer)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.remove_invoice_item(p_invoice_id, p_position);
SELECT core.wrap('api.remove_invoice_item(bigint, integer)', 'payments.remove_invoice_item(bigint, integer)',
                 'The merchant''s STAFF, ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.open_invoice(p_invoice_id bigint)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.open_invoice(p_invoice_id);
SELECT core.wrap('api.open_invoice(bigint)', 'payments.open_invoice(bigint)',
                 'The merchant''s STAFF, ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.void_invoice(p_invoice_id bigint)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.close_invoice(p_invoice_id, 'VOID');
SELECT core.wrap('api.void_invoice(bigint)', 'payments.close_invoice(bigint, text)',
                 'The merchant''s ADMIN or OWNER; back office. Status VOID.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.mark_invoice_uncollectible(p_invoice_id bigint)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.close_invoice(p_invoice_id, 'UNCOLLECTIBLE');
SELECT core.wrap('api.mark_invoice_uncollectible(bigint)', 'payments.close_invoice(bigint, text)',
                 'The merchant''s ADMIN or OWNER; back office. Status UNCOLLECTIBLE.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.pay_invoice_from_wallet(p_invoice_id bigint, p_wallet_id bigint, p_amount numeric,
                                                       p_reference core.name_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.pay_invoice_from_wallet(p_invoice_id, p_wallet_id, p_amount, p_reference);
SELECT core.wrap('api.pay_invoice_from_wallet(bigint, bigint, numeric, core.name_text)',
                 'payments.pay_invoice_from_wallet(bigint, bigint, numeric, text)',
                 'The invoice''s customer (or anyone, for an invoice to an e-mail) from a wallet it may spend from; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_invoice(p_invoice_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_invoice(p_invoice_id);
SELECT core.wrap('api.get_invoice(bigint)', 'payments.get_invoice(bigint)',
                 'The merchant''s members, the invoice''s customer; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_invoices(p_organization_id bigint, p_status core.name_text DEFAULT NULL,
                                             p_overdue boolean DEFAULT NULL, p_before_id bigint DEFAULT NULL,
                                             p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, number bigint, status text, currency text, customer_user_id bigint, customer_email text,
               customer_name text, due_date date, total numeric, amount_paid numeric, amount_due numeric,
               overdue boolean, opened_at timestamptz, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.number, l.status, l.currency, l.customer_user_id, l.customer_email, l.customer_name, l.due_date,
           l.total, l.amount_paid, l.amount_due, l.overdue, l.opened_at, l.created_at
      FROM payments.list_invoices(p_organization_id, p_status, p_overdue, p_before_id, p_limit) l;
END;
SELECT core.wrap('api.list_invoices(bigint, core.name_text, boolean, bigint, integer)',
                 'payments.list_invoices(bigint, text, boolean, bigint, integer)',
                 'The merchant''s members; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.my_invoices(p_status core.name_text DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, merchant_id bigint, merchant_name text, number bigint, status text, currency text,
               due_date date, total numeric, amount_paid numeric, amount_due numeric, overdue boolean,
               opened_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT m.id, m.merchant_id, m.merchant_name, m.number, m.status, m.currency, m.due_date, m.total, m.amount_paid,
           m.amount_due, m.overdue, m.opened_at
      FROM payments.my_invoices(p_status, p_limit) m;
END;
SELECT core.wrap('api.my_invoices(core.name_text, integer)', 'payments.my_invoices(text, integer)',
                 'A signed-in user (invoices addressed to it).', 'mercato_user');

-- merchant webhooks
CREATE OR REPLACE FUNCTION api.create_webhook_endpoint(p_organization_id bigint, p_url core.url_text,
                                                       p_event_types core.text_list)
RETURNS TABLE (endpoint_id bigint, secret text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.endpoint_id, c.secret FROM payments.create_webhook_endpoint(p_organization_id, p_url, p_event_types) c;
END;
SELECT core.wrap('api.create_webhook_endpoint(bigint, core.url_text, core.text_list)',
                 'payments.create_webhook_endpoint(bigint, text, text[])',
                 'The merchant''s ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_webhook_endpoint(p_endpoint_id bigint, p_url core.url_text DEFAULT NULL,
                                                       p_event_types core.text_list DEFAULT NULL,
                                                       p_status core.name_text DEFAULT NULL)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT payments.update_webhook_endpoint(p_endpoint_id, p_url, p_event_types, p_status);
END;
SELECT core.wrap('api.update_webhook_endpoint(bigint, core.url_text, core.text_list, core.name_text)',
                 'payments.update_webhook_endpoint(bigint, text, text[], text)',
                 'The merchant''s ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.rotate_webhook_secret(p_endpoint_id bigint, p_window_seconds integer DEFAULT 86400)
RETURNS TABLE (secret text, previous_expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.secret, r.previous_expires_at FROM payments.rotate_webhook_secret(p_endpoint_id, p_window_seconds) r;
END;
SELECT core.wrap('api.rotate_webhook_secret(bigint, integer)', 'payments.rotate_webhook_secret(bigint, integer)',
                 'The merchant''s ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.webhook_endpoints(p_organization_id bigint)
RETURNS TABLE (endpoint_id bigint, url text, event_types text[], status text, valid_secrets bigint,
               rotation_ends_at timestamptz, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT w.endpoint_id, w.url, w.event_types, w.status, w.valid_secrets, w.rotation_ends_at, w.created_at
      FROM payments.webhook_endpoints(p_organization_id) w;
END;
SELECT core.wrap('api.webhook_endpoints(bigint)', 'payments.webhook_endpoints(bigint)',
                 'The merchant''s ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.merchant_deliveries(p_organization_id bigint, p_object_type core.name_text DEFAULT NULL,
                                                   p_object_id bigint DEFAULT NULL, p_state core.name_text DEFAULT NULL,
                                                   p_before_event bigint DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS TABLE (event_id bigint, object_type text, object_id bigint, sequence bigint, event_type text,
               event_created_at timestamptz, endpoint_id bigint, attempt integer, message_id bigint, state text,
               tries integer, last_error text, next_attempt_at timestamptz, sent_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT d.event_id, d.object_type, d.object_id, d.sequence, d.event_type, d.event_created_at, d.endpoint_id,
           d.attempt, d.message_id, d.state, d.tries, d.last_error, d.next_attempt_at, d.sent_at
      FROM payments.merchant_deliveries(p_organization_id, p_object_type, p_object_id, p_state, p_before_event, p_limit) d;
END;
SELECT core.wrap('api.merchant_deliveries(bigint, core.name_text, bigint, core.name_text, bigint, integer)',
                 'payments.merchant_deliveries(bigint, text, bigint, text, bigint, integer)',
                 'The merchant''s ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.replay_merchant_event(p_event_id bigint, p_endpoint_id bigint DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.replay_merchant_event(p_event_id, p_endpoint_id);
SELECT core.wrap('api.replay_merchant_event(bigint, bigint)', 'payments.replay_merchant_event(bigint, bigint)',
                 'The merchant''s ADMIN or OWNER; back office.', 'mercato_user', 'mercato_service');

COMMIT;
