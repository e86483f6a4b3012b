"""``mercato rfq``: requests for quotation from the business side — create, publish, show, ranked bids, award.

With ``--as SUBJECT`` the CLI calls as that user (as PostgREST would for their JWT); the database decides.
"""

from __future__ import annotations

import datetime as dt
import json

import click

from mercato.cli.common import caller_option, client_for, emit

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
DATE = click.DateTime(["%Y-%m-%d"])
INSTANT = click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"])


def _line(text: str) -> dict:
    """TYPE:QUANTITY[:ENGINE][:driver], e.g. SEDAN:3:HYBRID:driver."""
    parts = text.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        raise click.BadParameter(f"{text!r}: expected TYPE:QUANTITY[:ENGINE][:driver], e.g. SEDAN:3:HYBRID")
    line: dict = {"vehicle_type": parts[0], "quantity": int(parts[1])}
    for extra in parts[2:]:
        if extra == "driver":
            line["with_driver"] = True
        elif extra:
            line["engine_type"] = extra
    return line


@click.group(name="rfq")
def command() -> None:
    """Requests for quotation: create, publish, show, ranked bids after the deadline, award."""


@command.command()
@click.option("--title", required=True)
@click.option("--start", "start_date", type=DATE, required=True, help="First day of the rental (YYYY-MM-DD).")
@click.option("--end", "end_date", type=DATE, required=True, help="Last day of the rental.")
@click.option("--deadline", type=INSTANT, required=True, help="Bid deadline (UTC when no zone is given).")
@click.option("--line", "lines", multiple=True, required=True, help="TYPE:QUANTITY[:ENGINE][:driver] (repeatable).")
@click.option("--description", default="")
@click.option("--publish", is_flag=True, help="Publish right away.")
@caller_option
def create(title: str, start_date: dt.datetime, end_date: dt.datetime, deadline: dt.datetime, lines: tuple[str, ...],
           description: str, publish: bool, as_subject: str | None) -> None:
    """Draft an RFQ (and publish it with --publish); prints its id."""
    deadline = deadline if deadline.tzinfo else deadline.replace(tzinfo=dt.timezone.utc)
    with client_for(as_subject) as client:
        rfq = client.marketplace.create_rfq(title, start_date.date(), end_date.date(), deadline, [_line(x) for x in lines], description)
        if publish:
            client.marketplace.publish_rfq(rfq)
    click.echo(rfq)


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
def publish(rfq_id: int, as_subject: str | None) -> None:
    """Publish a draft RFQ (KYB and the monthly quota are checked)."""
    with client_for(as_subject) as client:
        client.marketplace.publish_rfq(rfq_id)
    click.echo(f"rfq {rfq_id} published")


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
def cancel(rfq_id: int, as_subject: str | None) -> None:
    """Cancel an RFQ before it is awarded."""
    with client_for(as_subject) as client:
        client.marketplace.cancel_rfq(rfq_id)
    click.echo(f"rfq {rfq_id} cancelled")


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
def show(rfq_id: int, as_subject: str | None) -> None:
    """An RFQ with its lines (the bid count only after the deadline, to its business)."""
    with client_for(as_subject) as client:
        click.echo(json.dumps(client.marketplace.get_rfq(rfq_id), indent=2, default=str))


@command.command(name="list")
@click.option("--status", default=None)
@caller_option
@json_option
def list_(status: str | None, as_subject: str | None, as_json: bool) -> None:
    """The calling business's RFQs."""
    with client_for(as_subject) as client:
        emit(client.marketplace.my_rfqs(status), as_json=as_json)


@command.command(name="open")
@caller_option
@json_option
def open_(as_subject: str | None, as_json: bool) -> None:
    """RFQs open for bidding (for providers)."""
    with client_for(as_subject) as client:
        emit(client.marketplace.open_rfqs(), as_json=as_json)


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
@json_option
def bids(rfq_id: int, as_subject: str | None, as_json: bool) -> None:
    """Ranked, anonymized bids — after the deadline only."""
    with client_for(as_subject) as client:
        emit(client.marketplace.rfq_bids(rfq_id), as_json=as_json)


@command.command()
@click.argument("rfq_id", type=int)
@click.option("--award", "awards", multiple=True, required=True,
              help="LINE_ID:BIDDER_ALIAS:QUANTITY, e.g. '12:Bidder 3F2A91C0:2' (repeatable).")
@caller_option
def award(rfq_id: int, awards: tuple[str, ...], as_subject: str | None) -> None:
    """Award quantities to bids by their aliases (split a line across bidders with several --award)."""
    parsed = []
    for text in awards:
        line, _, rest = text.partition(":")
        bidder, _, qty = rest.rpartition(":")
        if not (line.isdigit() and bidder and qty.isdigit()):
            raise click.BadParameter(f"{text!r}: expected LINE_ID:BIDDER_ALIAS:QUANTITY")
        parsed.append({"rfq_line_id": int(line), "bidder": bidder, "quantity": int(qty)})
    with client_for(as_subject) as client:
        n = client.marketplace.award_rfq(rfq_id, parsed)
    click.echo(f"{n} awards on rfq {rfq_id}")
