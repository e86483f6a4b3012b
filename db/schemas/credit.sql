-- Deploy mercato:schemas/credit to pg
-- The credit product (issue 20; docs/credit.md): trade credit between vendors and retailers — parties, credit lines on
-- the ledger, the credit ledger view — and, later, orders on credit, payments and reversals, aging, scoring, the
-- WhatsApp inbox and microcredit loans. This first part creates the schema and the error codes of the foundation
-- (schemas/credit/foundation, schemas/credit/lines and their functions); the tables come with the parts that own them.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE SCHEMA credit;
COMMENT ON SCHEMA credit IS
'The credit product (issue 20): vendors, retailers, credit lines whose limit is a ledger overdraft limit, the credit
ledger over ledger entries. Money and debt move only through the ledger; no API role writes a table of this schema.';
GRANT USAGE ON SCHEMA credit TO mercato_user, mercato_service;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CREDIT_INVALID_INPUT', 'credit', 'PT400', 'invalid credit input', NULL,
 'A parameter is missing, malformed or out of range; the detail names the field and the reason. Nothing was written.'),
('CREDIT_UNKNOWN_VENDOR', 'credit', 'PT404', 'no such vendor', NULL,
 'No vendor with this id, or one the caller may not act for (answered alike).'),
('CREDIT_UNKNOWN_RETAILER', 'credit', 'PT404', 'no such retailer', NULL,
 'No retailer with this id, or one the caller may not act for (answered alike).'),
('CREDIT_VENDOR_CODE_TAKEN', 'credit', 'PT409', 'this vendor code is taken', 'choose another vendor code',
 'Vendor codes are unique platform-wide.'),
('CREDIT_VENDOR_STATE', 'credit', 'PT409', 'the vendor''s approval state does not allow this', NULL,
 'A vendor is decided once: PENDING becomes APPROVED or REJECTED (with a reason), and a decision never changes. '
 'Enforced by a trigger for every writer; the detail names both states.'),
('CREDIT_VENDOR_NOT_APPROVED', 'credit', 'PT409', 'the vendor is not approved', 'the back office approves vendors',
 'Only an APPROVED vendor opens credit lines or raises their limits.'),
('CREDIT_RISK_BANDS_UNDEFINED', 'credit', 'PT409', 'the risk bands policy does not cover this', 
 'add a version of the policy CREDIT_RISK_BANDS that covers it',
 'The CREDIT_RISK_BANDS version in force has no band for the score, or no maximum limit for the currency: refused '
 'rather than unlimited.'),
('CREDIT_UNKNOWN_LINE', 'credit', 'PT404', 'no such credit line', NULL,
 'No credit line with this id, or one the caller may not see (answered alike).'),
('CREDIT_LINE_EXISTS', 'credit', 'PT409', 'this vendor already has a credit line for this retailer', NULL,
 'One credit line per vendor and retailer; the detail names it.'),
('CREDIT_LINE_STATE', 'credit', 'PT409', 'the credit line''s status does not allow this', NULL,
 'ACTIVE lines may be frozen or closed, FROZEN ones unfrozen or closed; a CLOSED line is final.'),
('CREDIT_EXPOSURE_CAP', 'credit', 'PT409', 'the vendor''s exposure cap would be exceeded', NULL,
 'The sum of the limits of a vendor''s open credit lines may not exceed its exposure cap; the detail gives the cap, '
 'the other lines'' total and the limit asked. Checked under the vendor''s row lock.'),
('CREDIT_BAND_LIMIT', 'credit', 'PT409', 'the limit exceeds what the retailer''s risk band allows', NULL,
 'A credit limit may not be raised above the maximum of the retailer''s risk band (policy CREDIT_RISK_BANDS); an '
 'unscored retailer''s maximum is 0. The detail gives the score, the category and the maximum.'),
('CREDIT_LINE_NOT_SETTLED', 'credit', 'PT409', 'the credit line still has a balance or open holds',
 'settle the debt (or pay out the credit) first', 'A credit line closes only at a zero balance with no open holds.');

COMMIT;
