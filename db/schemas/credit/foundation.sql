-- Deploy mercato:schemas/credit/foundation to pg
-- What every credit use case shares (issue 20; docs/credit.md): vendors and retailers (organizations of kinds VENDOR
-- and RETAILER), the permission credit.manage (the platform admin and the seed's OPERATOR, a new system role
-- CREDIT_OPERATOR), the vendor's profile (code, approval, exposure cap, MSME category, GST state), the retailer's (score
-- 300..900, its history, last order, GST state), the Indian rupee, and the versioned policy CREDIT_RISK_BANDS that maps
-- a score to a risk category and the maximum credit limit per currency. No API role holds a privilege on these tables:
-- the credit functions write them and their read functions decide who sees which row.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO identity.organization_kind (code, description) VALUES
('VENDOR', 'A wholesale vendor of the credit product: sells to retailers on credit lines it grants.'),
('RETAILER', 'A retailer of the credit product: buys from vendors on credit and pays later.');

INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('credit.manage', 'Run the credit platform: approve or reject vendors, set exposure caps and retailer scores, see '
 'every vendor, retailer and credit line.', false);
INSERT INTO identity.role (code, name, description) VALUES
('CREDIT_OPERATOR', 'Credit operator', 'The credit product''s operator (seed 004''s OPERATOR): approves vendors, scores '
 'retailers, oversees credit lines.');
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code IN ('PLATFORM_ADMIN', 'CREDIT_OPERATOR') AND r.tenant_id IS NULL AND p.code = 'credit.manage';

-- GST invoices are in rupees (seed 004); ON CONFLICT: another product may have added it first.
INSERT INTO masterdata.currency (code, name, minor_units) VALUES ('INR', 'Indian rupee', 2) ON CONFLICT (code) DO NOTHING;

-- vendors -------------------------------------------------------------------------------------------------------------
CREATE TABLE credit.vendor (
    organization_id bigint CONSTRAINT vendor_pkey PRIMARY KEY
                    CONSTRAINT vendor_organization_id_fkey REFERENCES identity.organization (id),
    vendor_code     text NOT NULL CONSTRAINT vendor_vendor_code_key UNIQUE
                    CONSTRAINT vendor_vendor_code_check CHECK (vendor_code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
    status          text NOT NULL DEFAULT 'PENDING'
                    CONSTRAINT vendor_status_check CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    reason          text CONSTRAINT vendor_reason_check CHECK (length(reason) <= 500),
    decided_by      bigint CONSTRAINT vendor_decided_by_fkey REFERENCES identity.user_account (id),
    decided_at      timestamptz,
    currency        char(3) NOT NULL DEFAULT 'INR' CONSTRAINT vendor_currency_fkey REFERENCES masterdata.currency (code),
    exposure_cap    numeric NOT NULL DEFAULT 0
                    CONSTRAINT vendor_exposure_cap_check CHECK (exposure_cap >= 0 AND exposure_cap < 1e15),
    msme_category   text NOT NULL DEFAULT 'NONE'
                    CONSTRAINT vendor_msme_category_check CHECK (msme_category IN ('MICRO', 'SMALL', 'MEDIUM', 'NONE')),
    state_code      text NOT NULL CONSTRAINT vendor_state_code_check CHECK (state_code ~ '^[0-9]{2}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vendor_decision_check CHECK ((status = 'PENDING') = (decided_at IS NULL)),
    CONSTRAINT vendor_reason_required_check CHECK (status <> 'REJECTED' OR length(btrim(reason)) > 0)
);
COMMENT ON TABLE credit.vendor IS
'A vendor''s credit profile: its VENDOR organization, a unique vendor code, the approval (PENDING, then APPROVED or
REJECTED once, with a reason when rejected, by whom and when: credit.vendor_status_trg for every writer), the currency
of its credit lines, its exposure cap (the most the limits of its open lines may add up to), its MSME category (MSMED
Act interest) and its GST state code (place of supply). Audited.';
COMMENT ON COLUMN credit.vendor.exposure_cap IS
'The sum of the credit limits (ledger overdraft limits) of the vendor''s open lines may not exceed it; checked under
this row''s lock by every limit change (credit.apply_line_limit).';
CREATE INDEX vendor_decided_by_idx ON credit.vendor (decided_by);
CREATE TRIGGER vendor_audit AFTER INSERT OR UPDATE OR DELETE ON credit.vendor
    FOR EACH ROW EXECUTE FUNCTION audit.track('organization_id');

-- retailers -----------------------------------------------------------------------------------------------------------
CREATE TABLE credit.retailer (
    organization_id bigint CONSTRAINT retailer_pkey PRIMARY KEY
                    CONSTRAINT retailer_organization_id_fkey REFERENCES identity.organization (id),
    score           smallint CONSTRAINT retailer_score_check CHECK (score BETWEEN 300 AND 900),
    scored_at       timestamptz,
    last_order_at   timestamptz,
    state_code      text NOT NULL CONSTRAINT retailer_state_code_check CHECK (state_code ~ '^[0-9]{2}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT retailer_scored_check CHECK ((score IS NULL) = (scored_at IS NULL))
);
COMMENT ON TABLE credit.retailer IS
'A retailer''s credit profile: its RETAILER organization, its credit score (300..900; NULL until first scored, when
its risk band allows no credit), when it was scored, its last order and its GST state code. The risk category is never
stored: credit.risk_of(score, at) derives it from the policy CREDIT_RISK_BANDS in force. Audited.';
CREATE TRIGGER retailer_audit AFTER INSERT OR UPDATE OR DELETE ON credit.retailer
    FOR EACH ROW EXECUTE FUNCTION audit.track('organization_id');

CREATE TABLE credit.retailer_score (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT retailer_score_pkey PRIMARY KEY,
    retailer_id     bigint NOT NULL CONSTRAINT retailer_score_retailer_id_fkey REFERENCES credit.retailer (organization_id),
    score           smallint NOT NULL CONSTRAINT retailer_score_score_check CHECK (score BETWEEN 300 AND 900),
    note            text NOT NULL DEFAULT '' CONSTRAINT retailer_score_note_check CHECK (length(note) <= 500),
    inputs          jsonb NOT NULL DEFAULT '{}' CONSTRAINT retailer_score_inputs_check CHECK (jsonb_typeof(inputs) = 'object'),
    set_by          bigint CONSTRAINT retailer_score_set_by_fkey REFERENCES identity.user_account (id),
    set_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE credit.retailer_score IS
'Every score a retailer was given, with a note, the inputs it came from (the scoring formula fills them) and who set it
(NULL: the back office). Append-only (credit.retailer_score_fixed); credit.retailer.score is the latest.';
CREATE INDEX retailer_score_retailer_id_idx ON credit.retailer_score (retailer_id, id);
CREATE INDEX retailer_score_set_by_idx ON credit.retailer_score (set_by);
CREATE TRIGGER retailer_score_fixed BEFORE UPDATE OR DELETE ON credit.retailer_score
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');
CREATE TRIGGER retailer_score_no_truncate BEFORE TRUNCATE ON credit.retailer_score
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');

REVOKE ALL ON credit.vendor, credit.retailer, credit.retailer_score FROM PUBLIC;

-- The risk bands, as a versioned policy (masterdata.add_policy_version appends a new version): score ranges (inclusive,
-- covering 300..900 without gaps) to a risk category and the maximum credit limit per currency. A score or currency the
-- version in force does not cover is refused (CREDIT_RISK_BANDS_UNDEFINED), never unlimited.
INSERT INTO masterdata.policy_version (policy_code, version, effective_from, body, note)
VALUES ('CREDIT_RISK_BANDS', 1, '2026-01-01T00:00:00Z',
        '{"bands": [
            {"min_score": 300, "max_score": 549, "category": "VERY_HIGH",
             "max_limit": {"INR": "0.00", "KES": "0.00", "USD": "0.00"}},
            {"min_score": 550, "max_score": 649, "category": "HIGH",
             "max_limit": {"INR": "50000.00", "KES": "75000.00", "USD": "600.00"}},
            {"min_score": 650, "max_score": 749, "category": "MEDIUM",
             "max_limit": {"INR": "200000.00", "KES": "300000.00", "USD": "2500.00"}},
            {"min_score": 750, "max_score": 900, "category": "LOW",
             "max_limit": {"INR": "1000000.00", "KES": "1500000.00", "USD": "12000.00"}}]}',
        'Risk bands (issue 20): score range to risk category and the maximum credit limit per currency.');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CREDIT_IMMUTABLE', 'credit', 'PT409', 'this credit record never changes', NULL,
 'Score history rows are append-only.');

COMMIT;
