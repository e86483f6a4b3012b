"""``mercato rails``: the rail simulator (docs/payments.md, "The adapter contract"). ``simulate`` plays M-Pesa and the
banks: it takes the RAIL instructions from the outbox as a sender (the database URL's login role must be granted
mercato_sender), acknowledges them as the provider would, and calls back through ``api.ingest_webhook`` as the edge
would, in the real providers' shapes and under the chosen scenario."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from mercato.client import Client


@click.group(name="rails")
def command() -> None:
    """Payment rails: the provider simulator."""


@command.command(name="simulate")
@click.option("--scenario", type=click.Choice(["success", "cancelled", "timeout", "insufficient", "duplicate",
                                               "out_of_order", "never"]), default="success", show_default=True)
@click.option("--setup", is_flag=True,
              help="First make the rails ACTIVE for the simulator (as the back office): new path token, allowlist, HMAC keys.")
@click.option("--state", type=click.Path(path_type=Path), default=Path(".mercato/rails-simulator.json"), show_default=True,
              help="Where the tokens, keys and what the provider did are kept between runs.")
@click.option("--source", default="127.0.0.1", show_default=True, help="The source address the edge reports.")
@click.option("--once/--loop", default=True, show_default=True, help="Stop when nothing is due, or poll.")
@click.option("--poll", "poll_seconds", type=float, default=1.0, show_default=True)
@click.option("--role", default="mercato_sender", show_default=True, help="The sender role to act as.")
def simulate(scenario: str, setup: bool, state: Path, source: str, once: bool, poll_seconds: float, role: str) -> None:
    """Play the rails' providers for the due RAIL instructions; prints a JSON summary."""
    from mercato.harness.rail_simulator import RailSimulator, setup_rails

    with Client(max_size=1) as edge, Client(max_size=1, role=role) as sender:
        if setup:
            creds = setup_rails(edge, allowlist=[f"{source}/32" if ":" not in source else f"{source}/128"])
            state.parent.mkdir(parents=True, exist_ok=True)
            data = json.loads(state.read_text()) if state.exists() else {}
            data.update(creds)
            state.write_text(json.dumps(data, indent=1))
        data = json.loads(state.read_text()) if state.exists() else {}
        if not data.get("tokens") and not data.get("keys"):
            raise click.ClickException(f"no rail credentials in {state}: run with --setup first")
        sim = RailSimulator(sender, edge, tokens=data.get("tokens", {}), keys=data.get("keys", {}), scenario=scenario,
                            source=source, state=state)
        while True:
            sim.run_once()
            if once:
                break
            time.sleep(poll_seconds)
        click.echo(json.dumps({"scenario": scenario, "claimed": sim.stats.claimed, "acknowledged": sim.stats.acknowledged,
                               "callbacks": sim.stats.callbacks, "status_answers": sim.stats.answers,
                               "outcomes": sim.stats.outcomes}, sort_keys=True))
