-- Verify mercato:functions/ledger/guards on pg
-- Existence and privileges only. Fails when any guard trigger is missing, disabled or calls another function
-- (division by zero), when any of its functions is missing (the regprocedure cast raises), or when an API role
-- may execute one (division by zero).

BEGIN;

-- every guard trigger, on its table, calling its function, enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn AND t.tgenabled <> 'D')::int
  FROM (VALUES
        ('entry_balanced', 'ledger.entry'::regclass, 'ledger.entry_balanced_trg()'::regprocedure),
        ('entry_immutable', 'ledger.entry'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('entry_no_truncate', 'ledger.entry'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('transaction_no_delete', 'ledger.transaction'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('hold_no_delete', 'ledger.hold'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('account_no_delete', 'ledger.account'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('account_slot_no_delete', 'ledger.account_slot'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('account_hot_policy', 'ledger.account'::regclass, 'ledger.account_hot_policy_trg()'::regprocedure),
        ('account_terms_immutable', 'ledger.account'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('account_slot_terms_immutable', 'ledger.account_slot'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('transaction_immutable', 'ledger.transaction'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('transaction_reversed_once', 'ledger.transaction'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('hold_terms_immutable', 'ledger.hold'::regclass, 'core.refuse_change_trg()'::regprocedure),
        ('hold_resolve_once', 'ledger.hold'::regclass, 'ledger.hold_resolved_trg()'::regprocedure)
       ) AS g(name, rel, fn);

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['ledger.entry_balanced_trg()'::regprocedure,
                    'ledger.account_hot_policy_trg()'::regprocedure,
                    'ledger.hold_resolved_trg()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
