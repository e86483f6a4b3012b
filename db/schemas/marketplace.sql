-- Deploy mercato:schemas/marketplace to pg
-- RFQs with line items, sealed bids (one per provider per RFQ, priced per line), awards, and monthly RFQ quotas.

BEGIN;

CREATE SCHEMA marketplace;
COMMENT ON SCHEMA marketplace IS
'Requests for quotation, sealed bids and awards. Bids are sealed until the RFQ''s bid deadline by the database clock:
no application role can read these tables; the functions decide who sees what, and when.';
GRANT USAGE ON SCHEMA marketplace TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE marketplace.rfq (
    id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT rfq_pkey PRIMARY KEY,
    business_id   bigint NOT NULL CONSTRAINT rfq_business_id_fkey REFERENCES parties.business (id),
    title         text NOT NULL CONSTRAINT rfq_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 256),
    description   text NOT NULL DEFAULT '' CONSTRAINT rfq_description_check CHECK (length(description) <= 10000),
    currency      char(3) NOT NULL CONSTRAINT rfq_currency_fkey REFERENCES masterdata.currency (code),
    start_date    date NOT NULL,
    end_date      date NOT NULL,
    bid_deadline  timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'DRAFT'
                  CONSTRAINT rfq_status_check CHECK (status IN ('DRAFT', 'PUBLISHED', 'AWARDED', 'CANCELLED', 'CLOSED')),
    alias_key     bytea NOT NULL DEFAULT gen_random_bytes(32) CONSTRAINT rfq_alias_key_check CHECK (length(alias_key) = 32),
    published_at  timestamptz,
    awarded_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rfq_dates_check CHECK (end_date >= start_date),
    CONSTRAINT rfq_deadline_check CHECK (bid_deadline < start_date::timestamptz + interval '1 day'),
    CONSTRAINT rfq_published_check CHECK ((status = 'DRAFT') = (published_at IS NULL) OR status = 'CANCELLED')
);
COMMENT ON TABLE marketplace.rfq IS
'A request for quotation by a business: vehicles wanted from start_date to end_date (inclusive), bids accepted
until bid_deadline. DRAFT -> PUBLISHED (quota counted) -> AWARDED | CANCELLED | CLOSED (deadline passed, nothing
awarded). alias_key is a per-RFQ secret that keys the anonymous bidder aliases shown after the deadline; no
application role can read it.';
CREATE INDEX rfq_business_id_idx ON marketplace.rfq (business_id, id);
CREATE INDEX rfq_status_idx ON marketplace.rfq (status, bid_deadline);

CREATE TYPE marketplace.rfq_summary AS (
    id bigint, business_id bigint, title text, description text, currency char(3), start_date date, end_date date,
    bid_deadline timestamptz, status text, published_at timestamptz, awarded_at timestamptz, created_at timestamptz,
    updated_at timestamptz);
COMMENT ON TYPE marketplace.rfq_summary IS
'An RFQ as the API answers it: every column of marketplace.rfq but the alias_key secret (core.secret), listed, not
subtracted, so a new secret column never leaks by default.';

CREATE TABLE marketplace.rfq_line (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT rfq_line_pkey PRIMARY KEY,
    rfq_id            bigint NOT NULL CONSTRAINT rfq_line_rfq_id_fkey REFERENCES marketplace.rfq (id),
    line_no           smallint NOT NULL CONSTRAINT rfq_line_line_no_check CHECK (line_no > 0),
    vehicle_type      text NOT NULL,
    engine_type       text,
    quantity_required integer NOT NULL CONSTRAINT rfq_line_quantity_required_check CHECK (quantity_required > 0),
    with_driver       boolean NOT NULL DEFAULT false,
    notes             text NOT NULL DEFAULT '' CONSTRAINT rfq_line_notes_check CHECK (length(notes) <= 2000),
    CONSTRAINT rfq_line_rfq_id_line_no_key UNIQUE (rfq_id, line_no)
);
COMMENT ON TABLE marketplace.rfq_line IS
'One line of an RFQ: quantity_required vehicles of a VEHICLE_TYPE (and optionally ENGINE_TYPE), with or without
driver, for the RFQ''s whole period. Bids price a line per vehicle per day.';

CREATE TABLE marketplace.bid (
    id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT bid_pkey PRIMARY KEY,
    rfq_id        bigint NOT NULL CONSTRAINT bid_rfq_id_fkey REFERENCES marketplace.rfq (id),
    provider_id   bigint NOT NULL CONSTRAINT bid_provider_id_fkey REFERENCES parties.provider (id),
    status        text NOT NULL DEFAULT 'SUBMITTED'
                  CONSTRAINT bid_status_check CHECK (status IN ('SUBMITTED', 'WITHDRAWN', 'AWARDED', 'LOST')),
    revision      integer NOT NULL DEFAULT 1 CONSTRAINT bid_revision_check CHECK (revision > 0),
    submitted_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT bid_rfq_id_provider_id_key UNIQUE (rfq_id, provider_id)
);
COMMENT ON TABLE marketplace.bid IS
'A provider''s sealed bid on an RFQ (one per provider per RFQ; revised in place, revision counts). Submitted, revised
or withdrawn only before the RFQ''s bid_deadline by the database clock. submitted_at is the time of the latest
revision and breaks price ties.';
CREATE INDEX bid_provider_id_idx ON marketplace.bid (provider_id);

CREATE TABLE marketplace.bid_line (
    bid_id           bigint NOT NULL CONSTRAINT bid_line_bid_id_fkey REFERENCES marketplace.bid (id),
    rfq_line_id      bigint NOT NULL CONSTRAINT bid_line_rfq_line_id_fkey REFERENCES marketplace.rfq_line (id),
    unit_price       numeric(20,4) NOT NULL CONSTRAINT bid_line_unit_price_check CHECK (unit_price > 0),
    quantity_offered integer NOT NULL CONSTRAINT bid_line_quantity_offered_check CHECK (quantity_offered > 0),
    CONSTRAINT bid_line_pkey PRIMARY KEY (bid_id, rfq_line_id)
);
COMMENT ON TABLE marketplace.bid_line IS
'The price of a bid for one RFQ line: unit_price per vehicle per day (in the RFQ''s currency, within its minor units)
for up to quantity_offered vehicles.';
CREATE INDEX bid_line_rfq_line_id_idx ON marketplace.bid_line (rfq_line_id, unit_price);

CREATE TABLE marketplace.award (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT award_pkey PRIMARY KEY,
    rfq_id           bigint NOT NULL CONSTRAINT award_rfq_id_fkey REFERENCES marketplace.rfq (id),
    rfq_line_id      bigint NOT NULL CONSTRAINT award_rfq_line_id_fkey REFERENCES marketplace.rfq_line (id),
    bid_id           bigint NOT NULL CONSTRAINT award_bid_id_fkey REFERENCES marketplace.bid (id),
    provider_id      bigint NOT NULL CONSTRAINT award_provider_id_fkey REFERENCES parties.provider (id),
    quantity_awarded integer NOT NULL CONSTRAINT award_quantity_awarded_check CHECK (quantity_awarded > 0),
    unit_price       numeric(20,4) NOT NULL CONSTRAINT award_unit_price_check CHECK (unit_price > 0),
    awarded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT award_rfq_line_id_bid_id_key UNIQUE (rfq_line_id, bid_id)
);
COMMENT ON TABLE marketplace.award IS
'Part of an RFQ line awarded to one bid: quantity_awarded vehicles at the bid''s unit_price. Per line the awards
never exceed quantity_required, and per bid line never the quantity_offered (checked by trigger under the RFQ lock).';
CREATE INDEX award_rfq_id_idx ON marketplace.award (rfq_id);
CREATE INDEX award_provider_id_idx ON marketplace.award (provider_id);   -- a provider's own awards (marketplace.visible_awards)

CREATE TABLE marketplace.rfq_quota (
    business_id bigint NOT NULL CONSTRAINT rfq_quota_business_id_fkey REFERENCES parties.business (id),
    month       date NOT NULL CONSTRAINT rfq_quota_month_check CHECK (month = date_trunc('month', month)::date),
    used        integer NOT NULL DEFAULT 0 CONSTRAINT rfq_quota_used_check CHECK (used >= 0),
    CONSTRAINT rfq_quota_pkey PRIMARY KEY (business_id, month)
);
COMMENT ON TABLE marketplace.rfq_quota IS
'RFQs a business published per calendar month (UTC), counted by a conditional UPDATE against its tier''s quota.';

REVOKE ALL ON marketplace.rfq, marketplace.rfq_line, marketplace.bid, marketplace.bid_line, marketplace.award,
              marketplace.rfq_quota FROM PUBLIC;

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('marketplace', 'rfq', 'alias_key', 'SECRET', 'keys the anonymous bidder aliases: with it a business unmasks every bidder'),
('marketplace', 'bid', NULL, 'SEALED', 'sealed bids: who bid on what, seen only by the bidding provider'),
('marketplace', 'bid_line', NULL, 'SEALED', 'sealed bid prices, seen only by the bidding provider until the deadline'),
('marketplace', 'award', NULL, 'SEALED', 'an award''s unit price is its provider''s price: not for the other providers');

-- The module's error codes (CONVENTIONS.md, Errors); docs/errors.md is generated from them.
INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MARKETPLACE_INVALID_RFQ', 'marketplace', 'PT400', 'the RFQ is malformed', NULL,
 'A field of the RFQ or of one of its lines is missing or out of range; the detail names it.'),
('MARKETPLACE_UNKNOWN_RFQ', 'marketplace', 'PT404', 'no such RFQ', NULL,
 'The RFQ does not exist, or the caller may not see it (a provider sees published RFQs only; answered alike).'),
('MARKETPLACE_FORBIDDEN', 'marketplace', 'PT403', 'only the RFQ''s business (or an admin) may do this', NULL,
 'The caller is not the business that owns the RFQ.'),
('MARKETPLACE_INVALID_STATE', 'marketplace', 'PT409', 'the RFQ is not in a state that allows this', NULL,
 'e.g. publishing an RFQ twice, awarding a cancelled one; the detail gives the state.'),
('MARKETPLACE_KYB_REQUIRED', 'marketplace', 'PT403', 'the business must pass KYB before publishing RFQs',
 'ask the platform to verify the business', 'Only businesses whose kyb_status is VERIFIED publish.'),
('MARKETPLACE_DEADLINE_TOO_SOON', 'marketplace', 'PT400', 'the bid deadline is too close',
 'leave providers at least RFQ_MIN_BID_WINDOW_MINUTES to bid', 'Publishing needs the deadline that far in the future.'),
('MARKETPLACE_QUOTA_EXCEEDED', 'marketplace', 'PT429', 'the business has published its monthly quota of RFQs',
 'wait for next month or move up a tier', 'The business tier''s max_rfqs_per_month is reached for this calendar month (UTC).'),
('MARKETPLACE_PROVIDER_NOT_VERIFIED', 'marketplace', 'PT403', 'only verified providers may bid', NULL,
 'The calling provider''s verification_status is not VERIFIED.'),
('MARKETPLACE_BIDDING_CLOSED', 'marketplace', 'PT409', 'bidding on this RFQ is closed', NULL,
 'The bid deadline has passed by the database clock, or the RFQ is no longer published.'),
('MARKETPLACE_INVALID_BID', 'marketplace', 'PT400', 'the bid is malformed', NULL,
 'A bid line names another RFQ''s line, a price that is not positive or too precise, or a quantity out of range.'),
('MARKETPLACE_NO_BID', 'marketplace', 'PT404', 'the caller has no bid on this RFQ', NULL, 'Nothing to withdraw or show.'),
('MARKETPLACE_BIDS_SEALED', 'marketplace', 'PT403', 'bids are sealed until the bid deadline', NULL,
 'Before the deadline nobody on the business side learns anything about bids, not even whether there are any.'),
('MARKETPLACE_INVALID_AWARD', 'marketplace', 'PT400', 'the award is malformed', NULL,
 'An award names an unknown line or bidder alias, a bidder without a price for that line, or a non-positive quantity.'),
('MARKETPLACE_AWARD_IMMUTABLE', 'marketplace', 'PT403', 'awards are never changed', NULL,
 'An award is a fact the contract is built on; UPDATE and DELETE are refused for everyone.'),
('MARKETPLACE_AWARD_EXCEEDS', 'marketplace', 'PT409', 'the award exceeds what was requested or offered', NULL,
 'Per line the awards may not exceed quantity_required, nor per bid the quantity offered.'),
('MARKETPLACE_RFQ_NOT_EDITABLE', 'marketplace', 'PT409', 'only a DRAFT RFQ can be edited',
 'cancel it and create a new one', 'Once published (or cancelled, awarded, closed) an RFQ''s title, description, dates, '
 'currency and lines never change: providers bid on them. Refused by marketplace.update_rfq and, for any writer, by '
 'triggers on marketplace.rfq and marketplace.rfq_line; the detail gives the state.');

COMMIT;
