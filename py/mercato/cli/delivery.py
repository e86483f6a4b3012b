"""``mercato delivery``: OTP-verified handover and return of assigned vehicles."""

from __future__ import annotations

import json
import sys

import click

from mercato.cli.common import caller_option, client_for, emit

CHANNEL = click.Choice(["SMS", "EMAIL"])


@click.group(name="delivery")
def command() -> None:
    """Handover and return with one-time codes (provider starts, business verifies)."""


@command.command()
@click.argument("assignment_id", type=int)
@click.option("--type", "session_type", type=click.Choice(["DELIVERY", "RETURN"]), default="DELIVERY", show_default=True)
@click.option("--channel", type=CHANNEL, default="SMS", show_default=True)
@caller_option
def start(assignment_id: int, session_type: str, channel: str, as_subject: str | None) -> None:
    """Open a session; prints the session id and the outbox message that carries the code to the business."""
    with client_for(as_subject) as client:
        issued = client.delivery.start_session(assignment_id, session_type, channel)
    click.echo(f"session {issued.session_id}: code sent to the business (message {issued.message_id}, "
               f"expires {issued.expires_at:%H:%M:%S} UTC)")


@command.command()
@click.argument("session_id", type=int)
@click.option("--channel", type=CHANNEL, default="SMS", show_default=True)
@caller_option
def resend(session_id: int, channel: str, as_subject: str | None) -> None:
    """A new code for the session (the old one dies; rate-limited)."""
    with client_for(as_subject) as client:
        issued = client.delivery.resend_code(session_id, channel)
    click.echo(f"session {session_id}: new code sent to the business (message {issued.message_id}, "
               f"expires {issued.expires_at:%H:%M:%S} UTC)")


@command.command()
@click.argument("session_id", type=int)
@click.argument("code")
@click.option("--handover", default="{}", help='JSON: {"odometer_km": 12000, "fuel_level": "FULL", "photos": {...}, "notes": "..."}')
@caller_option
def verify(session_id: int, code: str, handover: str, as_subject: str | None) -> None:
    """Confirm the handover with the code (exit 1 when it is not verified)."""
    try:
        record = json.loads(handover)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"--handover is not JSON: {exc}") from None
    with client_for(as_subject) as client:
        result = client.delivery.verify_code(session_id, code, record)
    click.echo(f"verified={result.verified} outcome={result.outcome} attempts_left={result.attempts_left} "
               f"session={result.session_status}")
    if not result.verified:
        sys.exit(1)


@command.command()
@click.argument("session_id", type=int)
@caller_option
def cancel(session_id: int, as_subject: str | None) -> None:
    """Cancel a pending or locked session."""
    with client_for(as_subject) as client:
        client.delivery.cancel_session(session_id)
    click.echo(f"session {session_id} cancelled")


@command.command()
@click.argument("session_id", type=int)
@caller_option
@click.option("--json", "as_json", is_flag=True)
def status(session_id: int, as_subject: str | None, as_json: bool) -> None:
    """A session as its parties see it (never the code)."""
    with client_for(as_subject) as client:
        emit(client.delivery.session_status(session_id), as_json=as_json)


@command.command()
def expire() -> None:
    """Back office: mark expired codes EXPIRED."""
    with client_for(None) as client:
        click.echo(f"{client.delivery.expire_codes()} codes expired")
