"""``mercato outbox``: the outbox's messages — list and retry (the back office), and ``work``, a sender.

``list`` and ``retry`` run as the back office (the database URL's role). ``work`` runs as a sender: the database URL's
login role must be granted mercato_sender (``--role``); it claims batches of one channel, "sends" each message by
appending one JSON line to a file or stdout, then reports it sent. Progress and the summary go to stderr, so stdout
carries only the messages (``--to -``).
"""

from __future__ import annotations

import sys

import click

from mercato.cli.common import emit

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
LIST_COLUMNS = ["id", "channel", "recipient", "template", "state", "attempts", "next_attempt_at", "last_error", "sent_at"]
CHANNELS = click.Choice(["sms", "email", "whatsapp", "webhook"], case_sensitive=False)


@click.group(name="outbox")
def command() -> None:
    """Outbox messages: list, retry, and a sender that drains a channel (work)."""


@command.command("list")
@click.option("--state", type=click.Choice(["PENDING", "SENDING", "SENT", "FAILED", "DEAD"], case_sensitive=False))
@click.option("--channel", type=CHANNELS)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@json_option
def list_(state: str | None, channel: str | None, limit: int, as_json: bool) -> None:
    """The latest messages, newest first (never their secrets)."""
    from mercato.client import Client

    with Client(max_size=1) as client:
        rows = client.outbox.list_messages(state, channel, limit)
    emit(rows, as_json=as_json, columns=None if as_json else LIST_COLUMNS)


@command.command()
@click.argument("message_id", type=int)
def retry(message_id: int) -> None:
    """Send a FAILED or DEAD message again (PENDING, due now, attempts reset)."""
    from mercato.client import Client

    with Client(max_size=1) as client:
        click.echo(f"{message_id}: {client.outbox.retry(message_id)}")


@command.command()
@click.option("--channel", type=CHANNELS, required=True)
@click.option("--to", "target", default="-", show_default=True, help="File to append the JSON lines to, or - (stdout).")
@click.option("--batch", type=click.IntRange(1, 10000), default=100, show_default=True, help="Messages per claim.")
@click.option("--lease", "lease_seconds", type=click.IntRange(1, 86400), default=60, show_default=True,
              help="Seconds a claimed batch is this sender's; unreported messages are claimed again after it.")
@click.option("--once", is_flag=True, help="Exit when nothing is due instead of polling.")
@click.option("--poll", "poll_seconds", type=click.FloatRange(0.05), default=1.0, show_default=True)
@click.option("--worker", default=None, help="Name recorded with the lease (default: sender-<random>).")
@click.option("--role", default="mercato_sender", show_default=True, help="The sender role to act as.")
def work(channel: str, target: str, batch: int, lease_seconds: int, once: bool, poll_seconds: float,
         worker: str | None, role: str) -> None:
    """Claim, "send" (one JSON line per message: id, channel, recipient, template, params, secret) and report.

    At least once: a line is written before its report, so a sender killed in between leaves the message to be
    claimed again after --lease seconds; the message id is the idempotency key (docs/outbox.md)."""
    from mercato import outbox
    from mercato.client import Client

    stream = sys.stdout if target == "-" else open(target, "a", encoding="utf-8")
    try:
        with Client(max_size=1, role=role) as client:
            stats = outbox.work(client, channel.upper(), outbox.file_sink(stream), batch=batch,
                                lease_seconds=lease_seconds, worker=worker, once=once, poll_seconds=poll_seconds,
                                progress=lambda line: click.echo(line, err=True))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return
    finally:
        if stream is not sys.stdout:
            stream.close()
    click.echo(f"claimed {stats.claimed}, sent {stats.sent}, failed {stats.failed}, lease lost {stats.lost}", err=True)
