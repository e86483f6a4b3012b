"""Moving one awarded RFQ and its contract into the past: how the demo shows "a month of use" and how the torture run
makes closed days for settlement, without waiting a month.

Only dates move — the RFQ's, its awards', the contract's and its assignments' — in one transaction of a superuser
session, with the immutability triggers bypassed for that transaction only (``session_replication_role = replica``).
Amounts, states and the ledger are untouched.
"""

from __future__ import annotations

import datetime as dt

import psycopg


def shift_into_past(conn: psycopg.Connection, rfq: int, contract: int, days: int) -> None:
    """Move ``rfq`` and ``contract`` (with its assignments) ``days`` days earlier; ``conn`` is a superuser session."""
    shift = dt.timedelta(days=days)
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE marketplace.rfq SET start_date = start_date - %s, end_date = end_date - %s, "
                     "bid_deadline = bid_deadline - %s, published_at = published_at - %s, awarded_at = awarded_at - %s, "
                     "created_at = created_at - %s WHERE id = %s", (days, days, shift, shift, shift, shift, rfq))
        conn.execute("UPDATE marketplace.award SET awarded_at = awarded_at - %s WHERE rfq_id = %s", (shift, rfq))
        conn.execute("UPDATE contracts.contract SET start_date = start_date - %s, end_date = end_date - %s, "
                     "created_at = created_at - %s, activated_at = activated_at - %s WHERE id = %s",
                     (days, days, shift, shift, contract))
        conn.execute("UPDATE contracts.assignment SET period = daterange(lower(period) - %s, upper(period) - %s), "
                     "started_on = started_on - %s, created_at = created_at - %s WHERE contract_id = %s",
                     (days, days, days, shift, contract))
