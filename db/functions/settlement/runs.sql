-- Deploy mercato:functions/settlement/runs to pg
-- Settling a period for every provider: the candidates of a closed period (settlement.period_to_settle), in one
-- transaction (settlement.run_period) or one transaction per provider and currency (settlement.settle_period_step,
-- settlement.run_period_in_steps); a provider already settled for the period is skipped.

BEGIN;

CREATE FUNCTION settlement.run_reference(p_period_start date, p_period_end date, p_provider_id bigint, p_currency text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format('period:%s:%s:provider:%s:%s', p_period_start, p_period_end, p_provider_id, p_currency);
COMMENT ON FUNCTION settlement.run_reference(date, date, bigint, text) IS
'The reference of the cycle a period run settles for one provider and currency (settlement.run_period and
settlement.settle_period_step): the same run step always names the same cycle.';

CREATE FUNCTION settlement.period_settled(p_provider_id bigint, p_currency text, p_period_start date, p_period_end date)
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN EXISTS (SELECT 1 FROM settlement.cycle c
                WHERE c.provider_id = p_provider_id AND c.currency = p_currency
                  AND daterange(c.period_start, c.period_end, '[]') && daterange(p_period_start, p_period_end, '[]'));
COMMENT ON FUNCTION settlement.period_settled(bigint, text, date, date) IS
'True when the provider already has a cycle in this currency overlapping [p_period_start, p_period_end]: a period run
skips it (an earlier run, or this one before a crash). Expects a valid period (start <= end); callers check it first.';

CREATE FUNCTION settlement.period_to_settle(p_period_start date, p_period_end date)
RETURNS TABLE (provider_id bigint, currency text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', 'settling is for the service role and marketplace admins');
    END IF;
    IF p_period_start IS NULL OR p_period_end IS NULL OR p_period_start > p_period_end THEN
        PERFORM core.raise('SETTLEMENT_INVALID_PERIOD', format('%s..%s', p_period_start, p_period_end));
    ELSIF p_period_end >= current_date THEN
        PERFORM core.raise('SETTLEMENT_PERIOD_OPEN', format('%s..%s ends on or after today (%s)', p_period_start,
                                                            p_period_end, current_date));
    END IF;
    RETURN QUERY
    SELECT e.provider_id, e.currency
      FROM (SELECT DISTINCT a.provider_id, k.currency::text AS currency
              FROM contracts.assignment a JOIN contracts.contract k ON k.id = a.contract_id
             WHERE a.status IN ('ACTIVE', 'RETURNED') AND a.started_on <= p_period_end
               AND lower(a.period) <= p_period_end AND upper(a.period) > p_period_start
               AND least(coalesce(a.ended_on, upper(a.period)), upper(a.period), p_period_end + 1)
                   > greatest(a.started_on, lower(a.period), p_period_start)) e
     ORDER BY e.provider_id, e.currency;
END
$$;
COMMENT ON FUNCTION settlement.period_to_settle(date, date) IS
'The steps of a settlement run in steps: each (provider, currency) with vehicle-days in a closed period.
In ascending provider id, including those already settled (settlement.settle_period_step skips them); one scan. Read
once, then settle each row in its own transaction (settlement.run_period_in_steps, mercato settle run). Caller: the
service role or a marketplace admin. Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN.
Assumes READ COMMITTED.';

CREATE FUNCTION settlement.run_period(p_period_start date, p_period_end date)
RETURNS TABLE (currency text, cycles integer, lines bigint, gross numeric, commission numeric, net numeric,
               skipped integer)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ids   bigint[] := '{}'::bigint[];
    v_skipped text[] := '{}'::text[];
    v_cycle settlement.cycle;
    r       record;
BEGIN
    -- Every (provider, currency) with vehicle-days in the period, in one scan (period_to_settle checks the caller and
    -- the period first); those with a cycle overlapping the period (e.g. an earlier run) are skipped.
    FOR r IN
        SELECT s.provider_id, s.currency,
               settlement.period_settled(s.provider_id, s.currency, p_period_start, p_period_end) AS settled
          FROM settlement.period_to_settle(p_period_start, p_period_end) s
    LOOP
        IF r.settled THEN
            v_skipped := v_skipped || r.currency;
            CONTINUE;
        END IF;
        v_cycle := settlement.settle(r.provider_id, r.currency, p_period_start, p_period_end,
                                     settlement.run_reference(p_period_start, p_period_end, r.provider_id, r.currency));
        v_ids := v_ids || v_cycle.id;
    END LOOP;
    RETURN QUERY
    SELECT cur, coalesce(t.cycles, 0)::integer, coalesce(t.lines, 0), coalesce(t.gross, 0), coalesce(t.commission, 0),
           coalesce(t.net, 0), coalesce(s.n, 0)::integer
      FROM (SELECT c.currency::text AS cur FROM settlement.cycle c WHERE c.id = ANY (v_ids)
            UNION SELECT k FROM unnest(v_skipped) k) cs
      LEFT JOIN (SELECT c.currency::text AS cur2, count(*) AS cycles, sum(c.gross) AS gross, sum(c.commission) AS commission,
                        sum(c.net) AS net,
                        (SELECT count(*) FROM settlement.cycle_line cl WHERE cl.cycle_id = ANY (v_ids)) AS lines
                   FROM settlement.cycle c WHERE c.id = ANY (v_ids) GROUP BY c.currency) t ON t.cur2 = cs.cur
      LEFT JOIN (SELECT k AS cur3, count(*) AS n FROM unnest(v_skipped) k GROUP BY k) s
             ON s.cur3 = cs.cur
     ORDER BY cs.cur;
END
$$;
COMMENT ON FUNCTION settlement.run_period(date, date) IS
'Settle every provider with vehicle-days in a closed period, one cycle per provider and currency (reference
period:<start>:<end>:provider:<id>:<currency>), all in this one transaction; providers already settled for an
overlapping period are skipped. Returns per currency: cycles made, lines, gross, commission, net, skipped.
Candidates come from one scan; each provider''s lines are read once. Caller: the service role or a marketplace admin.
Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN and those of settlement.settle.
Assumes READ COMMITTED; lock order as settlement.settle, providers in ascending id.';

CREATE FUNCTION settlement.settle_period_step(p_period_start date, p_period_end date, p_provider_id bigint,
                                              p_currency text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cycle settlement.cycle;
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', 'settling is for the service role and marketplace admins');
    END IF;
    -- The period first: daterange() below would fail raw (22000) on an inverted one.
    IF p_period_start IS NULL OR p_period_end IS NULL OR p_period_start > p_period_end THEN
        PERFORM core.raise('SETTLEMENT_INVALID_PERIOD', format('%s..%s', p_period_start, p_period_end));
    END IF;
    IF settlement.period_settled(p_provider_id, p_currency, p_period_start, p_period_end) THEN
        RETURN NULL;   -- settled before (an earlier run, or this one before a crash)
    END IF;
    v_cycle := settlement.settle(p_provider_id, p_currency, p_period_start, p_period_end,
                                 settlement.run_reference(p_period_start, p_period_end, p_provider_id, p_currency));
    RETURN v_cycle.id;
END
$$;
COMMENT ON FUNCTION settlement.settle_period_step(date, date, bigint, text) IS
'One step of a settlement run in steps: settle one provider and currency for a closed period; NULL if skipped.
The row comes from settlement.period_to_settle. The cycle gets the run''s reference
period:<start>:<end>:provider:<id>:<currency> and its id is returned; a provider that already has a cycle overlapping
the period is skipped. Meant to be the only work of its transaction, so each caller''s transaction sets its own role
and claims (a pooled connection keeps no session state). Caller: the service role or a marketplace admin.
Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD and those of settlement.settle. Assumes READ COMMITTED; locks
as settlement.settle.';

CREATE PROCEDURE settlement.run_period_in_steps(p_period_start date, p_period_end date, INOUT p_cycles integer DEFAULT 0,
                                                INOUT p_skipped integer DEFAULT 0)
LANGUAGE plpgsql
-- No SET search_path here: PostgreSQL forbids COMMIT in a procedure with a SET clause. Every name below is
-- schema-qualified, and the work is done by settlement.period_to_settle and settlement.settle_period_step, which pin
-- their own.
AS $$
DECLARE
    v_todo  bigint[];
    v_cur   text[];
    i       integer;
BEGIN
    -- The candidates, read once (this checks the caller and the period); then one transaction per provider and
    -- currency, committed before the next.
    SELECT array_agg(s.provider_id ORDER BY s.provider_id, s.currency), array_agg(s.currency ORDER BY s.provider_id, s.currency)
      INTO v_todo, v_cur
      FROM settlement.period_to_settle(p_period_start, p_period_end) s;
    COMMIT;
    FOR i IN 1 .. coalesce(cardinality(v_todo), 0) LOOP
        IF settlement.settle_period_step(p_period_start, p_period_end, v_todo[i], v_cur[i]) IS NULL THEN
            p_skipped := p_skipped + 1;   -- settled before (an earlier run, or this one before a crash)
        ELSE
            p_cycles := p_cycles + 1;
        END IF;
        COMMIT;
    END LOOP;
END
$$;
COMMENT ON PROCEDURE settlement.run_period_in_steps(date, date, integer, integer) IS
'Settle every provider with earnings in a closed period like settlement.run_period, but COMMIT after each provider''s
cycle: no transaction holds the hot commission account, the business wallets or the escrow lines for the whole run
(rows updated many times in one transaction grow version chains that every later update walks), a crash loses at most
the cycle in flight, and running it again resumes (providers already settled for the period are skipped; the cycle
reference is the same, so a cycle committed just before a crash is never paid twice). CALL it outside a transaction
block (autocommit). Returns the cycles made and skipped. Caller: the owner, e.g. a DBA''s psql session (a procedure
that COMMITs cannot be SECURITY DEFINER, so no API role holds EXECUTE on it). API roles, and pooled clients, which
must leave no session state behind, drive the same steps themselves, one transaction each with role and claims set
locally: api.period_to_settle, then api.settle_period_step per row (mercato settle run, Client.run_settlement_in_steps).
Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN and those of settlement.settle.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).
-- API roles settle in steps through api.period_to_settle and api.settle_period_step; the procedure, which COMMITs and so
-- cannot be SECURITY DEFINER, is for the owner's own sessions.
REVOKE ALL ON PROCEDURE settlement.run_period_in_steps(date, date, integer, integer) FROM PUBLIC;

COMMIT;
