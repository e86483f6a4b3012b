-- Verify mercato:schemas/marketplace on pg

BEGIN;

SELECT id, business_id, title, description, currency, start_date, end_date, bid_deadline, status, alias_key,
       published_at, awarded_at FROM marketplace.rfq WHERE false;
SELECT id, rfq_id, line_no, vehicle_type, engine_type, quantity_required, with_driver, notes FROM marketplace.rfq_line WHERE false;
SELECT id, rfq_id, provider_id, status, revision, submitted_at, updated_at FROM marketplace.bid WHERE false;
SELECT bid_id, rfq_line_id, unit_price, quantity_offered FROM marketplace.bid_line WHERE false;
SELECT id, rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, awarded_at FROM marketplace.award WHERE false;
SELECT business_id, month, used FROM marketplace.rfq_quota WHERE false;

ROLLBACK;
