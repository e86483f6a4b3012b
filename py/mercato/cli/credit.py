"""``mercato credit``: the credit product (issue 20; docs/credit.md) — vendors, retailers and credit lines.

``--as SUBJECT`` acts as that user (a vendor's or retailer's member, a credit operator); without it the CLI is the
back office (the service role, which holds every credit.manage right). Amounts are passed through as text; every rule
is the database's. A refusal prints one ``error: <CODE>: …`` line.
"""

from __future__ import annotations

from decimal import Decimal

import click

from mercato.cli.common import caller_option, client_for, emit

_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
_LINE_COLUMNS = ["line_id", "vendor_id", "retailer_id", "currency", "credit_limit", "debt", "available", "terms_days",
                 "status", "status_reason"]


@click.group(name="credit")
def command() -> None:
    """Trade credit: vendors, retailers, credit lines and their statements."""


# vendors ------------------------------------------------------------------------------------------------------------------
@command.group(name="vendor")
def vendor() -> None:
    """Vendors: register, approve, reject, exposure cap, list."""


@vendor.command(name="register")
@click.argument("name")
@click.argument("vendor_code")
@click.option("--state", "state_code", required=True, help="The two-digit GST state code (place of supply).")
@click.option("--msme", "msme_category", type=click.Choice(["MICRO", "SMALL", "MEDIUM", "NONE"]), default="NONE",
              show_default=True, help="MSME category (MSMED Act interest).")
@click.option("--currency", default="INR", show_default=True, help="The currency of the vendor's credit lines.")
@caller_option
def vendor_register(name: str, vendor_code: str, state_code: str, msme_category: str, currency: str,
                    as_subject: str | None) -> None:
    """Register the vendor NAME with VENDOR_CODE (you become its OWNER) and print its id."""
    with client_for(as_subject) as client:
        click.echo(client.credit.register_vendor(name, vendor_code, state_code, msme_category=msme_category,
                                                 currency=currency))


@vendor.command(name="approve")
@click.argument("vendor_id", type=int)
@click.option("--cap", "exposure_cap", type=Decimal, required=True, help="Exposure cap: the most its lines' limits add up to.")
@caller_option
def vendor_approve(vendor_id: int, exposure_cap: Decimal, as_subject: str | None) -> None:
    """Approve the PENDING vendor VENDOR_ID (credit.manage)."""
    with client_for(as_subject) as client:
        client.credit.approve_vendor(vendor_id, exposure_cap)
        click.echo(f"vendor {vendor_id} APPROVED")


@vendor.command(name="reject")
@click.argument("vendor_id", type=int)
@click.argument("reason")
@caller_option
def vendor_reject(vendor_id: int, reason: str, as_subject: str | None) -> None:
    """Reject the PENDING vendor VENDOR_ID with REASON (credit.manage)."""
    with client_for(as_subject) as client:
        client.credit.reject_vendor(vendor_id, reason)
        click.echo(f"vendor {vendor_id} REJECTED")


@vendor.command(name="cap")
@click.argument("vendor_id", type=int)
@click.argument("exposure_cap", type=Decimal)
@caller_option
def vendor_cap(vendor_id: int, exposure_cap: Decimal, as_subject: str | None) -> None:
    """Set the exposure cap of the approved vendor VENDOR_ID (credit.manage)."""
    with client_for(as_subject) as client:
        client.credit.set_exposure_cap(vendor_id, exposure_cap)
        click.echo(f"vendor {vendor_id} exposure cap {exposure_cap}")


@vendor.command(name="list")
@click.option("--status", type=click.Choice(["PENDING", "APPROVED", "REJECTED"]), default=None)
@_json_option
@caller_option
def vendor_list(status: str | None, as_json: bool, as_subject: str | None) -> None:
    """The vendors you act for (all of them for the back office)."""
    with client_for(as_subject) as client:
        emit(client.credit.vendors(status), as_json=as_json,
             columns=["vendor_id", "name", "vendor_code", "status", "reason", "currency", "exposure_cap",
                      "msme_category", "state_code"])


# retailers ----------------------------------------------------------------------------------------------------------------
@command.group(name="retailer")
def retailer() -> None:
    """Retailers: register, score, list."""


@retailer.command(name="register")
@click.argument("name")
@click.option("--state", "state_code", required=True, help="The two-digit GST state code.")
@caller_option
def retailer_register(name: str, state_code: str, as_subject: str | None) -> None:
    """Register the retailer NAME (you become its OWNER) and print its id."""
    with client_for(as_subject) as client:
        click.echo(client.credit.register_retailer(name, state_code))


@retailer.command(name="score")
@click.argument("retailer_id", type=int)
@click.argument("score", type=int)
@click.option("--note", default="", help="Why (recorded with the score).")
@caller_option
def retailer_score(retailer_id: int, score: int, note: str, as_subject: str | None) -> None:
    """Set the credit score (300..900) of RETAILER_ID (credit.manage); its lines follow a downgrade."""
    with client_for(as_subject) as client:
        client.credit.set_retailer_score(retailer_id, score, note)
        band = client.credit.risk_band(score)
        click.echo(f"retailer {retailer_id} score {score} ({band['category'] if band else '?'})")


@retailer.command(name="list")
@_json_option
@caller_option
def retailer_list(as_json: bool, as_subject: str | None) -> None:
    """The retailers you act for (all of them for the back office), with score and risk category."""
    with client_for(as_subject) as client:
        emit(client.credit.retailers(), as_json=as_json,
             columns=["retailer_id", "name", "score", "risk_category", "last_order_at", "state_code"])


# lines --------------------------------------------------------------------------------------------------------------------
@command.group(name="line")
def line() -> None:
    """Credit lines: open, limit, freeze, unfreeze, close, show, list, statement."""


@line.command(name="open")
@click.argument("vendor_id", type=int)
@click.argument("retailer_id", type=int)
@click.argument("limit", type=Decimal)
@click.option("--terms", "terms_days", type=int, default=30, show_default=True, help="Payment terms in days.")
@caller_option
def line_open(vendor_id: int, retailer_id: int, limit: Decimal, terms_days: int, as_subject: str | None) -> None:
    """Open the credit line of VENDOR_ID to RETAILER_ID with LIMIT and print its id."""
    with client_for(as_subject) as client:
        click.echo(client.credit.open_line(vendor_id, retailer_id, limit, terms_days))


@line.command(name="limit")
@click.argument("line_id", type=int)
@click.argument("limit", type=Decimal)
@caller_option
def line_limit(line_id: int, limit: Decimal, as_subject: str | None) -> None:
    """Set the limit of LINE_ID (within the cap and band, never below its debt)."""
    with client_for(as_subject) as client:
        click.echo(client.credit.set_limit(line_id, limit))


def _status_command(name: str, status: str, help_text: str) -> click.Command:
    @click.argument("line_id", type=int)
    @click.option("--reason", default=None, help="Why (kept on the line).")
    @caller_option
    def run(line_id: int, reason: str | None, as_subject: str | None) -> None:
        with client_for(as_subject) as client:
            click.echo(client.credit.set_line_status(line_id, status, reason))
    run.__doc__ = help_text
    return line.command(name=name)(run)


_status_command("freeze", "FROZEN", "Freeze LINE_ID: no new credit, payments still come in.")
_status_command("unfreeze", "ACTIVE", "Unfreeze LINE_ID (its limit must be within the retailer's band).")
_status_command("close", "CLOSED", "Close LINE_ID for good (only at a zero balance).")


@line.command(name="show")
@click.argument("line_id", type=int)
@_json_option
@caller_option
def line_show(line_id: int, as_json: bool, as_subject: str | None) -> None:
    """LINE_ID with its limit, debt and available credit from the ledger."""
    with client_for(as_subject) as client:
        emit(client.credit.line(line_id), as_json=as_json, columns=_LINE_COLUMNS)


@line.command(name="list")
@click.option("--vendor", "vendor_id", type=int, default=None)
@click.option("--retailer", "retailer_id", type=int, default=None)
@_json_option
@caller_option
def line_list(vendor_id: int | None, retailer_id: int | None, as_json: bool, as_subject: str | None) -> None:
    """The lines of the vendors and retailers you act for (all of them for the back office)."""
    with client_for(as_subject) as client:
        emit(client.credit.my_lines(vendor_id=vendor_id, retailer_id=retailer_id), as_json=as_json,
             columns=_LINE_COLUMNS)


@line.command(name="statement")
@click.argument("line_id", type=int)
@click.option("--after", "after_number", type=int, default=0, show_default=True, help="Rows after this ledger number.")
@click.option("--limit", type=int, default=100, show_default=True)
@_json_option
@caller_option
def line_statement(line_id: int, after_number: int, limit: int, as_json: bool, as_subject: str | None) -> None:
    """The credit ledger of LINE_ID: numbered entries with type, running balance and outstanding debt."""
    with client_for(as_subject) as client:
        emit(client.credit.statement(line_id, after_number=after_number, limit=limit), as_json=as_json,
             columns=["ledger_number", "posted_at", "transaction_type", "amount", "previous_balance",
                      "running_balance", "outstanding", "due_date", "reversal_of", "reference"])
