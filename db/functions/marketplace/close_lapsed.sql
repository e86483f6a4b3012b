-- Deploy mercato:functions/marketplace/close_lapsed to pg
-- An RFQ still PUBLISHED RFQ_AWARD_GRACE_HOURS after its bid deadline, with no award, reaches CLOSED (a job).
--
-- CLOSED is a terminal state like CANCELLED: the bids still SUBMITTED become LOST, as marketplace.cancel_rfq does for
-- a cancelled RFQ and award_rfq for the bids it does not award (WITHDRAWN bids stay WITHDRAWN). Lock order as in
-- award_rfq and cancel_rfq: the RFQ row first, then its bids; several RFQs in ascending id.

BEGIN;

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('RFQ_AWARD_GRACE_HOURS', 'NUMBER', '72', 0, 8760,
 'Hours a business has after an RFQ''s bid deadline to award it; a PUBLISHED RFQ still without award after that is closed by the job marketplace.close_lapsed_rfqs.');

CREATE FUNCTION marketplace.close_lapsed_rfqs(p_grace interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_grace  interval := coalesce(p_grace, make_interval(hours => masterdata.setting_number('RFQ_AWARD_GRACE_HOURS')::integer));
    v_closed integer;
BEGIN
    IF v_grace < interval '0' THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', format('p_grace %s is negative', p_grace));
    END IF;
    WITH lapsed AS (
        -- Lock in ascending id. Under READ COMMITTED a row that an award (or a cancel) changed while we waited for its
        -- lock is read again and no longer matches: it is skipped, never closed.
        SELECT r.id FROM marketplace.rfq r
         WHERE r.status = 'PUBLISHED' AND r.bid_deadline < now() - v_grace   -- rfq_status_idx
         ORDER BY r.id
           FOR NO KEY UPDATE
    ), closed AS (
        UPDATE marketplace.rfq r SET status = 'CLOSED', updated_at = now()
          FROM lapsed l
         WHERE r.id = l.id AND r.status = 'PUBLISHED'
        RETURNING r.id, r.bid_deadline
    ), lost AS (
        UPDATE marketplace.bid b SET status = 'LOST', updated_at = clock_timestamp()
          FROM closed c
         WHERE b.rfq_id = c.id AND b.status = 'SUBMITTED'
        RETURNING b.rfq_id
    )
    SELECT count(*) INTO v_closed
      FROM closed c
     CROSS JOIN LATERAL audit.record('marketplace', 'rfq', c.id::text, 'CLOSED', NULL,
                                     jsonb_build_object('bid_deadline', c.bid_deadline, 'grace_hours',
                                                        extract(epoch FROM v_grace) / 3600,
                                                        'bids_lost', (SELECT count(*) FROM lost WHERE lost.rfq_id = c.id)));
    RETURN v_closed;
END
$$;
COMMENT ON FUNCTION marketplace.close_lapsed_rfqs(interval) IS
'Close every RFQ still PUBLISHED whose bid deadline passed more than p_grace ago (default: RFQ_AWARD_GRACE_HOURS) with
no award: it becomes CLOSED, its SUBMITTED bids LOST (as for a cancelled RFQ), and each closing is audited
(marketplace / rfq / CLOSED with the deadline, the grace and the bids lost). Returns how many it closed. One
set-based statement: the lapsed RFQs are locked in ascending id, then updated, then their bids (the lock order of
award_rfq and cancel_rfq), so it runs safely next to an award of the same RFQ: whichever locks the RFQ first wins,
the award then refuses with MARKETPLACE_INVALID_STATE or the closing skips the awarded RFQ. Idempotent: a second run
finds nothing. Registered as the job marketplace.close_lapsed_rfqs. Errors: CORE_INVALID_ARGUMENT (negative grace).
Owner only; assumes READ COMMITTED.';

COMMIT;
