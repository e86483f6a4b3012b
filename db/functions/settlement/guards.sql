-- Deploy mercato:functions/settlement/guards to pg
-- The settlement module's error codes, and the triggers that hold for every writer, the owner included: cycle lines
-- never change, cycles are never deleted.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('SETTLEMENT_INVALID_PERIOD', 'settlement', 'PT400', 'the settlement period or reference is malformed', NULL,
 'period_start and period_end are required with period_start <= period_end; the reference has 1-200 characters.'),
('SETTLEMENT_PERIOD_OPEN', 'settlement', 'PT409', 'the period is not over yet', 'settle periods that ended before today',
 'Only periods ending before today (database clock) can be settled: later days may still change.'),
('SETTLEMENT_PERIOD_SETTLED', 'settlement', 'PT409', 'the provider already has a settlement overlapping this period', NULL,
 'A provider''s settled periods never overlap (exclusion constraint on settlement.cycle).'),
('SETTLEMENT_REFERENCE_CONFLICT', 'settlement', 'PT422', 'the reference was used for another settlement', NULL,
 'The same reference with another provider, currency or period: idempotency conflict.'),
('SETTLEMENT_NOTHING_TO_SETTLE', 'settlement', 'PT409', 'the provider earned nothing in the period', NULL,
 'No vehicle-day of the provider falls in the period; no cycle is recorded.'),
('SETTLEMENT_FORBIDDEN', 'settlement', 'PT403', 'the caller may not do this', NULL,
 'Settling is for the service role and marketplace admins; a provider reads only its own cycles.'),
('SETTLEMENT_UNKNOWN_PROVIDER', 'settlement', 'PT404', 'no such provider', NULL, 'Unknown provider id.'),
('SETTLEMENT_UNKNOWN_CYCLE', 'settlement', 'PT404', 'no such settlement cycle', NULL, 'Unknown cycle id.'),
('SETTLEMENT_IMMUTABLE', 'settlement', 'PT403', 'settlement records never change', NULL,
 'UPDATE/DELETE of a cycle line, or DELETE of a cycle.');

CREATE TRIGGER cycle_line_immutable BEFORE UPDATE OR DELETE ON settlement.cycle_line
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('SETTLEMENT_IMMUTABLE');
CREATE TRIGGER cycle_no_delete BEFORE DELETE ON settlement.cycle
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('SETTLEMENT_IMMUTABLE');

COMMIT;
