-- Revert mercato:functions/settlement/guards from pg

BEGIN;

DROP TRIGGER cycle_no_delete ON settlement.cycle;
DROP TRIGGER cycle_line_immutable ON settlement.cycle_line;
DELETE FROM core.error WHERE module = 'settlement';

COMMIT;
