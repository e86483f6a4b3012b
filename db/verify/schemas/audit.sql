-- Verify mercato:schemas/audit on pg

BEGIN;

SELECT id, occurred_at, tx_id, actor_subject, actor_user_id, db_role, module, entity_type, entity_id,
       action, old_values, new_values
  FROM audit.event WHERE false;

ROLLBACK;
