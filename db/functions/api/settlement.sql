-- Deploy mercato:functions/api/settlement to pg
-- The HTTP API of settlement: settle one provider or a whole period (back office and marketplace admins), read cycles
-- (providers their own). Thin SECURITY DEFINER wrappers (API roles execute only api.*): the settlement functions check who is calling
-- (request.jwt.claims) themselves. A long period is better run in steps, one request (transaction) per provider:
-- api.period_to_settle once, then api.settle_period_step per row (what `mercato settle run` does).

BEGIN;

CREATE FUNCTION api.settle_provider(p_provider_id bigint, p_period_start core.finite_date, p_period_end core.finite_date, p_reference core.name_text,
                                    p_currency core.name_text DEFAULT NULL)
RETURNS settlement.cycle LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN settlement.settle_provider(p_provider_id, p_period_start, p_period_end, p_reference, p_currency);
SELECT core.wrap('api.settle_provider(bigint, core.finite_date, core.finite_date, core.name_text, core.name_text)', 'settlement.settle_provider(bigint, date, date, text, text)',
                 'Back office or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.run_settlement(p_period_start core.finite_date, p_period_end core.finite_date)
RETURNS TABLE (currency text, cycles integer, lines bigint, gross numeric, commission numeric, net numeric,
               skipped integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.currency, r.cycles, r.lines, r.gross, r.commission, r.net, r.skipped
      FROM settlement.run_period(p_period_start, p_period_end) r;
END;
SELECT core.wrap('api.run_settlement(core.finite_date, core.finite_date)', 'settlement.run_period(date, date)',
                 'Back office or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.period_to_settle(p_period_start core.finite_date, p_period_end core.finite_date)
RETURNS TABLE (provider_id bigint, currency text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.provider_id, s.currency FROM settlement.period_to_settle(p_period_start, p_period_end) s;
END;
SELECT core.wrap('api.period_to_settle(core.finite_date, core.finite_date)', 'settlement.period_to_settle(date, date)',
                 'Back office or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.settle_period_step(p_period_start core.finite_date, p_period_end core.finite_date, p_provider_id bigint, p_currency core.name_text)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN settlement.settle_period_step(p_period_start, p_period_end, p_provider_id, p_currency);
SELECT core.wrap('api.settle_period_step(core.finite_date, core.finite_date, bigint, core.name_text)', 'settlement.settle_period_step(date, date, bigint, text)',
                 'Back office or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.settlement_cycles(p_provider_id bigint DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS SETOF settlement.cycle LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM settlement.list_cycles(p_provider_id, p_limit);
END;
SELECT core.wrap('api.settlement_cycles(bigint, integer)', 'settlement.list_cycles(bigint, integer)',
                 'A provider (its own) or marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.settlement_cycle(p_cycle_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN settlement.get_cycle(p_cycle_id);
SELECT core.wrap('api.settlement_cycle(bigint)', 'settlement.get_cycle(bigint)',
                 'Its provider or a marketplace admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.settlement_check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.check_name, c.ok, c.violations, c.sample FROM settlement.check() c;
END;
SELECT core.wrap('api.settlement_check()', 'settlement.check()',
                 'Back office: mercato_service only.', 'mercato_service');

COMMIT;
