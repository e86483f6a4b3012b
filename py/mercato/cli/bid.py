"""``mercato bid``: a provider's sealed bid on an RFQ — submit or revise, withdraw, show its own."""

from __future__ import annotations

import click

from mercato.cli.common import caller_option, client_for, emit


@click.group(name="bid")
def command() -> None:
    """Sealed bids (providers): submit, withdraw, show your own."""


@command.command()
@click.argument("rfq_id", type=int)
@click.option("--line", "lines", multiple=True, required=True,
              help="RFQ_LINE_ID:UNIT_PRICE:QUANTITY, price per vehicle per day (repeatable).")
@caller_option
def submit(rfq_id: int, lines: tuple[str, ...], as_subject: str | None) -> None:
    """Submit or revise your bid (before the deadline, by the database clock); prints the bid id."""
    parsed = []
    for text in lines:
        parts = text.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            raise click.BadParameter(f"{text!r}: expected RFQ_LINE_ID:UNIT_PRICE:QUANTITY")
        parsed.append({"rfq_line_id": int(parts[0]), "unit_price": parts[1], "quantity": int(parts[2])})
    with client_for(as_subject) as client:
        click.echo(client.marketplace.submit_bid(rfq_id, parsed))


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
def withdraw(rfq_id: int, as_subject: str | None) -> None:
    """Withdraw your bid before the deadline."""
    with client_for(as_subject) as client:
        client.marketplace.withdraw_bid(rfq_id)
    click.echo(f"bid on rfq {rfq_id} withdrawn")


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
@click.option("--json", "as_json", is_flag=True)
def show(rfq_id: int, as_subject: str | None, as_json: bool) -> None:
    """Your own bid, line by line, with what was awarded."""
    with client_for(as_subject) as client:
        emit(client.marketplace.my_bid(rfq_id), as_json=as_json)
