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


@click.command(name="withdrawal-resolve")
@click.argument("withdrawal_id", type=int)
@click.option("--outcome", type=click.Choice(["PAID", "NOT_PAID"], case_sensitive=False), required=True,
              help="PAID: the provider did pay out (the hold is captured); NOT_PAID: it did not (the hold is released).")
@click.option("--reason", required=True, help="Why (3 to 500 characters), e.g. what the provider's statement shows.")
@caller_option
def withdrawal_resolve(withdrawal_id: int, outcome: str, reason: str, as_subject: str | None) -> None:
    """Resolve FLAGGED withdrawal WITHDRAWAL_ID (payments.manage), once."""
    with client_for(as_subject) as client:
        _echo(client.payments.resolve_flagged_withdrawal(withdrawal_id, outcome, reason))


@click.group(name="webhooks", invoke_without_command=True)
@click.option("--state", default=None, help="PROCESSED, IGNORED, DUPLICATE, QUARANTINED, REFUSED, FAILED.")
@click.option("--provider", default=None, help="A rail's code.")
@click.option("--limit", type=int, default=100, show_default=True)
@caller_option
@click.pass_context
def webhooks(ctx: click.Context, state: str | None, provider: str | None, limit: int, as_subject: str | None) -> None:
    """Inbound webhook events: without a subcommand, list the latest (payments.manage), one JSON line each (--state
    QUARANTINED: those to review); `resolve` one, `deliver` the merchant webhooks."""
    if ctx.invoked_subcommand is None:
        webhooks_list.callback(state, provider, limit, as_subject)  # type: ignore[misc]


@webhooks.command(name="list")
@click.option("--state", default=None, help="PROCESSED, IGNORED, DUPLICATE, QUARANTINED, REFUSED, FAILED.")
@click.option("--provider", default=None, help="A rail's code.")
@click.option("--limit", type=int, default=100, show_default=True)
@caller_option
def webhooks_list(state: str | None, provider: str | None, limit: int, as_subject: str | None) -> None:
    """List the latest webhook events (payments.manage), one JSON line each; --state QUARANTINED: those to review."""
    with client_for(as_subject) as client:
        for event in client.payments.webhook_events(state, provider, limit):
            _echo(event)


@webhooks.command(name="resolve")
@click.argument("event_id", type=int)
@click.option("--action", type=click.Choice(["REPROCESS", "DISMISS"], case_sensitive=False), required=True,
              help="REPROCESS: run the state machine again (never applied twice); DISMISS: close it, no money moves.")
@click.option("--reason", required=True, help="Why (3 to 500 characters; recorded and audited).")
@caller_option
def webhooks_resolve(event_id: int, action: str, reason: str, as_subject: str | None) -> None:
    """Resolve QUARANTINED or FAILED webhook event EVENT_ID (payments.manage); prints the outcome as JSON."""
    with client_for(as_subject) as client:
        _echo(client.payments.resolve_webhook_event(event_id, action.upper(), reason))


@webhooks.command(name="deliver")
@click.option("--once", is_flag=True, help="Exit when nothing is due instead of polling.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Messages claimed at a time (one lease covers them).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True,
              help="Seconds an endpoint has to answer one request; no answer is a failure, retried later.")
@click.option("--cafile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Certificate authorities to trust for https (default: the system's).")
@click.option("--poll", "poll_seconds", type=click.FloatRange(0.05), default=1.0, show_default=True)
@click.option("--role", default="mercato_sender", show_default=True, help="The sender role to act as.")
def webhooks_deliver(once: bool, limit: int, timeout: float, cafile: str | None, poll_seconds: float, role: str) -> None:
    """Send the merchant webhooks (outbox channel WEBHOOK): POST each event, signed by the database at that instant;
    2xx is delivered, anything else or no answer in --timeout seconds is a failure the outbox retries with backoff.
    One line per attempt and a summary on stderr."""
    from mercato.client import Client
    from mercato.webhook_sender import Attempt, deliver_webhooks

    def show(attempt: Attempt) -> None:
        outcome = "delivered" if attempt.delivered else f"failed ({attempt.error}), retried later"
        click.echo(f"message {attempt.message_id} -> {attempt.url}: {outcome} in {attempt.seconds:.2f} s", err=True)

    try:
        with Client(max_size=1, role=role) as client:
            stats = deliver_webhooks(client, limit=limit, timeout=timeout, once=once, cafile=cafile,
                                     poll_seconds=poll_seconds, on_attempt=show)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return
    click.echo(f"claimed {stats.claimed}, delivered {stats.sent}, failed {stats.failed}, lease lost {stats.lost}",
               err=True)


COMMANDS = (webhooks, rails, rail_set, rail_token, rail_key, fund, funding, withdraw, withdrawal, withdrawal_resolve)
