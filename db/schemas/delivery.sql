-- Deploy mercato:schemas/delivery to pg
-- Delivery and return sessions per vehicle assignment, one-time codes stored only as keyed hashes, and the
-- handover record (photos, odometer, fuel, notes).

BEGIN;

CREATE SCHEMA delivery;
COMMENT ON SCHEMA delivery IS
'OTP-verified vehicle handover: a DELIVERY session starts an assignment, a RETURN session ends it. Codes are
returned once to the caller that issues them and stored only as an HMAC keyed by a secret no application role can
read; they expire, die after a few wrong tries, and a session has a failure budget that survives resends.';
GRANT USAGE ON SCHEMA delivery TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE delivery.session (
    id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT session_pkey PRIMARY KEY,
    assignment_id  bigint NOT NULL CONSTRAINT session_assignment_id_fkey REFERENCES contracts.assignment (id),
    session_type   text NOT NULL CONSTRAINT session_session_type_check CHECK (session_type IN ('DELIVERY', 'RETURN')),
    business_id    bigint NOT NULL CONSTRAINT session_business_id_fkey REFERENCES parties.business (id),
    provider_id    bigint NOT NULL CONSTRAINT session_provider_id_fkey REFERENCES parties.provider (id),
    vehicle_id     bigint NOT NULL CONSTRAINT session_vehicle_id_fkey REFERENCES fleet.vehicle (id),
    status         text NOT NULL DEFAULT 'PENDING'
                   CONSTRAINT session_status_check CHECK (status IN ('PENDING', 'VERIFIED', 'LOCKED', 'CANCELLED')),
    live           boolean NOT NULL GENERATED ALWAYS AS (status IN ('PENDING', 'VERIFIED')) STORED,
    failures       integer NOT NULL DEFAULT 0 CONSTRAINT session_failures_check CHECK (failures >= 0),
    failure_budget integer NOT NULL CONSTRAINT session_failure_budget_check CHECK (failure_budget > 0),
    codes_issued   integer NOT NULL DEFAULT 0 CONSTRAINT session_codes_issued_check CHECK (codes_issued >= 0),
    last_issued_at timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    verified_at    timestamptz,
    CONSTRAINT session_verified_check CHECK ((status = 'VERIFIED') = (verified_at IS NOT NULL)),
    CONSTRAINT session_budget_check CHECK (failures <= failure_budget)
) WITH (fillfactor = 80);
COMMENT ON TABLE delivery.session IS
'A handover of one assigned vehicle: DELIVERY (provider hands over, business confirms with the code) or RETURN.
PENDING -> VERIFIED (a correct code; the handover is recorded) | LOCKED (failure budget spent) | CANCELLED.
At most one live (PENDING or VERIFIED) session per assignment and type.';
COMMENT ON COLUMN delivery.session.live IS
'True for a PENDING or VERIFIED session, generated from status. The one-live-session rule reads it rather than status,
so that a verification (PENDING -> VERIFIED) changes no indexed value and is a HOT update (fillfactor 80).';
CREATE UNIQUE INDEX session_assignment_live_key ON delivery.session (assignment_id, session_type) WHERE live;

CREATE TABLE delivery.otp (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT otp_pkey PRIMARY KEY,
    session_id   bigint NOT NULL CONSTRAINT otp_session_id_fkey REFERENCES delivery.session (id),
    code_hmac    bytea NOT NULL CONSTRAINT otp_code_hmac_check CHECK (length(code_hmac) = 32),
    key_id       integer NOT NULL,
    channel      text NOT NULL CONSTRAINT otp_channel_check CHECK (channel IN ('SMS', 'EMAIL')),
    status       text NOT NULL DEFAULT 'ACTIVE'
                 CONSTRAINT otp_status_check CHECK (status IN ('ACTIVE', 'USED', 'SUPERSEDED', 'EXHAUSTED', 'EXPIRED')),
    attempts     integer NOT NULL DEFAULT 0 CONSTRAINT otp_attempts_check CHECK (attempts >= 0),
    max_attempts integer NOT NULL CONSTRAINT otp_max_attempts_check CHECK (max_attempts > 0),
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    used_at      timestamptz,
    CONSTRAINT otp_used_check CHECK ((status = 'USED') = (used_at IS NOT NULL)),
    CONSTRAINT otp_attempts_bound_check CHECK (attempts <= max_attempts),
    CONSTRAINT otp_expiry_check CHECK (expires_at > created_at)
);
COMMENT ON TABLE delivery.otp IS
'A one-time code of a session, stored only as HMAC-SHA256(key, session id || code) with the id of the key used.
ACTIVE -> USED (once) | SUPERSEDED (a newer code was issued) | EXHAUSTED (max_attempts wrong tries) | EXPIRED.
At most one ACTIVE code per session. No application role can read this table.';
CREATE UNIQUE INDEX otp_session_active_key ON delivery.otp (session_id) WHERE status = 'ACTIVE';

CREATE TABLE delivery.otp_attempt (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT otp_attempt_pkey PRIMARY KEY,
    session_id bigint NOT NULL CONSTRAINT otp_attempt_session_id_fkey REFERENCES delivery.session (id),
    otp_id     bigint CONSTRAINT otp_attempt_otp_id_fkey REFERENCES delivery.otp (id),
    outcome    text NOT NULL CONSTRAINT otp_attempt_outcome_check
               CHECK (outcome IN ('VERIFIED', 'WRONG_CODE', 'EXPIRED', 'NO_ACTIVE_CODE', 'LOCKED')),
    actor_id   bigint,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE delivery.otp_attempt IS 'Every verification attempt and its outcome (append-only), for audit and rate limits.';
CREATE INDEX otp_attempt_session_id_idx ON delivery.otp_attempt (session_id, id);

CREATE TABLE delivery.handover (
    session_id   bigint CONSTRAINT handover_pkey PRIMARY KEY CONSTRAINT handover_session_id_fkey REFERENCES delivery.session (id),
    photos       jsonb NOT NULL DEFAULT '{}' CONSTRAINT handover_photos_check CHECK (jsonb_typeof(photos) = 'object'),
    odometer_km  integer CONSTRAINT handover_odometer_km_check CHECK (odometer_km >= 0),
    fuel_level   text CONSTRAINT handover_fuel_level_check CHECK (fuel_level IN ('EMPTY', 'QUARTER', 'HALF', 'THREE_QUARTERS', 'FULL')),
    notes        text NOT NULL DEFAULT '' CONSTRAINT handover_notes_check CHECK (length(notes) <= 4000),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE delivery.handover IS
'The vehicle''s condition at a verified handover: photos (front, back, left, right, interior -> URL), odometer,
fuel level, notes. Written once, by the verification that succeeds.';

CREATE TABLE delivery.otp_key (
    id         integer GENERATED ALWAYS AS IDENTITY CONSTRAINT otp_key_pkey PRIMARY KEY,
    secret     bytea NOT NULL CONSTRAINT otp_key_secret_check CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);
COMMENT ON TABLE delivery.otp_key IS
'The HMAC keys of one-time codes (the newest unretired one signs new codes; otp.key_id says which key signed a code,
so keys can be rotated without invalidating live codes). Readable by no application role and never returned by any
function: a stolen copy of delivery.otp alone cannot be brute-forced offline.';
CREATE UNIQUE INDEX otp_key_current_key ON delivery.otp_key ((retired_at IS NULL)) WHERE retired_at IS NULL;
INSERT INTO delivery.otp_key (secret) VALUES (public.gen_random_bytes(32));

REVOKE ALL ON delivery.session, delivery.otp, delivery.otp_attempt, delivery.handover, delivery.otp_key FROM PUBLIC;

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('delivery', 'otp', 'code_hmac', 'SECRET', 'keyed hash of a one-time code'),
('delivery', 'otp_key', 'secret', 'SECRET', 'the HMAC key of the one-time codes');

-- The module's error codes (CONVENTIONS.md, Errors); docs/errors.md is generated from them.
INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('DELIVERY_UNKNOWN_ASSIGNMENT', 'delivery', 'PT404', 'no such assignment', NULL,
 'The assignment does not exist or the caller is not its provider (answered alike).'),
('DELIVERY_UNKNOWN_SESSION', 'delivery', 'PT404', 'no such delivery session', NULL,
 'The session does not exist or the caller is not a party to it (answered alike).'),
('DELIVERY_INVALID_STATE', 'delivery', 'PT409', 'the assignment or session is not in a state that allows this', NULL,
 'e.g. a DELIVERY session for a vehicle already handed over, a RETURN before the handover, a resend on a closed session.'),
('DELIVERY_SESSION_EXISTS', 'delivery', 'PT409', 'a session of this type is already open for the assignment',
 'use delivery.resend_code for a new code', 'At most one live DELIVERY and one live RETURN session per assignment.'),
('DELIVERY_RESEND_TOO_SOON', 'delivery', 'PT429', 'a new code was issued too recently',
 'wait OTP_RESEND_COOLDOWN_SECONDS between codes', 'Resends are rate-limited per session.'),
('DELIVERY_RESEND_LIMIT', 'delivery', 'PT429', 'no more codes for this session',
 'cancel the session and open a new one', 'A session issues at most 1 + OTP_MAX_RESENDS codes.'),
('DELIVERY_INVALID_INPUT', 'delivery', 'PT400', 'a delivery argument is malformed', NULL,
 'The detail names the argument (channel, session type, handover record).');

COMMIT;
