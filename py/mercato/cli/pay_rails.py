"""``mercato pay`` commands of the rails (docs/payments.md, "Rails and webhooks"): the rails and their secrets (the back
office), top-ups (funding sessions) and withdrawals (``--as`` the wallet's user or an organization ADMIN). Attached
to the ``pay`` group from cli/pay.py."""

from __future__ import annotations

import json
from decimal import Decimal

import click

from mercato.cli.common import caller_option, client_for


def _echo(value: object) -> None:
    click.echo(json.dumps(value, sort_keys=True, default=str))


@click.command(name="rails")
@caller_option
def rails(as_subject: str | None) -> None:
    """List the rails (a user: the ACTIVE ones; the back office: all, with their settings)."""
    with client_for(as_subject) as client:
        for rail in client.payments.rails():
            _echo(rail)


@click.command(name="rail-set")
@click.argument("code")
@click.option("--kind", type=click.Choice(["SIGNED", "UNSIGNED"]), default=None, help="A new rail's kind.")
@click.option("--name", default=None)
@click.option("--status", type=click.Choice(["ACTIVE", "DISABLED"]), default=None)
@click.option("--shortcode", default=None, help="The business account a status result must name.")
@click.option("--answer-timeout", "answer_timeout_seconds", type=int, default=None,
              help="Seconds without answer before the sweeper queries an instruction.")
@click.option("--tolerance", "timestamp_tolerance_seconds", type=int, default=None,
              help="Signed callbacks: the timestamp tolerance in seconds.")
@click.option("--allow", "source_allowlist", multiple=True, help="Unsigned callbacks: an allowed source network (repeat).")
@caller_option
def rail_set(code: str, kind: str | None, name: str | None, status: str | None, shortcode: str | None,
             answer_timeout_seconds: int | None, timestamp_tolerance_seconds: int | None,
             source_allowlist: tuple[str, ...], as_subject: str | None) -> None:
    """Configure rail CODE (payments.manage)."""
    with client_for(as_subject) as client:
        _echo(client.payments.set_rail(code, kind=kind, name=name, status=status, shortcode=shortcode,
                                       answer_timeout_seconds=answer_timeout_seconds,
                                       timestamp_tolerance_seconds=timestamp_tolerance_seconds,
                                       source_allowlist=list(source_allowlist) or None))


@click.command(name="rail-token")
@click.argument("code")
@caller_option
def rail_token(code: str, as_subject: str | None) -> None:
    """Issue a new path token for unsigned rail CODE and print it (shown once; stored hashed)."""
    with client_for(as_subject) as client:
        click.echo(client.payments.new_rail_path_token(code))


@click.command(name="rail-key")
@click.argument("code")
@click.option("--secret", prompt=True, hide_input=True, help="The HMAC key (32 to 256 bytes).")
@click.option("--retire-others", is_flag=True, help="Retire every other key now (no rotation overlap).")
@caller_option
def rail_key(code: str, secret: str, retire_others: bool, as_subject: str | None) -> None:
    """Add an HMAC key to signed rail CODE; prints its id (the key is never shown again)."""
    with client_for(as_subject) as client:
        click.echo(client.payments.add_rail_hmac_secret(code, secret, retire_others=retire_others))


@click.command(name="fund")
@click.argument("wallet_id", type=int)
@click.option("--rail", required=True, help="MPESA, KCB, DTB.")
@click.option("--amount", type=Decimal, required=True)
@click.option("--payer", required=True, help="2547XXXXXXXX for an M-Pesa STK push, an account for a bank.")
@caller_option
def fund(wallet_id: int, rail: str, amount: Decimal, payer: str, as_subject: str | None) -> None:
    """Top up WALLET_ID from a rail: a PENDING funding session, completed by the rail's confirmed result."""
    with client_for(as_subject) as client:
        _echo(client.payments.create_funding_session(wallet_id, rail, amount, payer))


@click.command(name="funding")
@click.argument("session_id", type=int)
@caller_option
def funding(session_id: int, as_subject: str | None) -> None:
    """Show funding session SESSION_ID."""
    with client_for(as_subject) as client:
        _echo(client.payments.funding_session(session_id))


@click.command(name="withdraw")
@click.argument("wallet_id", type=int)
@click.option("--rail", required=True, help="MPESA, KCB, DTB.")
@click.option("--amount", type=Decimal, required=True)
@click.option("--to", "destination", required=True, help="2547XXXXXXXX for M-Pesa B2C, an account for a bank.")
@caller_option
def withdraw(wallet_id: int, rail: str, amount: Decimal, destination: str, as_subject: str | None) -> None:
    """Withdraw from WALLET_ID to a rail: a hold of amount + fee, captured when the rail confirms."""
    with client_for(as_subject) as client:
        _echo(client.payments.request_withdrawal(wallet_id, rail, amount, destination))


@click.command(name="withdrawal")
@click.argument("withdrawal_id", type=int)
@caller_option
def withdrawal(withdrawal_id: int, as_subject: str | None) -> None:
    """Show withdrawal WITHDRAWAL_ID."""
    with client_for(as_subject) as client:
        _echo(client.payments.withdrawal(withdrawal_id))


@click.command(name="webhooks")
@click.option("--state", default=None, help="PROCESSED, IGNORED, DUPLICATE, QUARANTINED, REFUSED, FAILED.")
@click.option("--provider", default=None, help="A rail's code.")
@click.option("--limit", type=int, default=100, show_default=True)
@caller_option
def webhooks(state: str | None, provider: str | None, limit: int, as_subject: str | None) -> None:
    """List the latest webhook events (payments.manage), one JSON line each; --state QUARANTINED: those to review."""
    with client_for(as_subject) as client:
        for event in client.payments.webhook_events(state, provider, limit):
            _echo(event)


COMMANDS = (webhooks, rails, rail_set, rail_token, rail_key, fund, funding, withdraw, withdrawal)
