"""``mercato contract``: contracts from awards, escrow activation, vehicle assignments, ending, integrity.

Without ``--as`` the CLI is the trusted back office (the database URL's role); with ``--as SUBJECT`` it calls as
that user, exactly as PostgREST would for their JWT, and the database decides what they may do.
"""

from __future__ import annotations

import sys

import click

from mercato.cli.common import caller_option, client_for, emit

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
CONTRACT_COLUMNS = ["id", "contract_number", "rfq_id", "status", "currency", "total_amount", "start_date", "end_date"]
ASSIGNMENT_COLUMNS = ["id", "contract_line_id", "vehicle_id", "status", "period", "started_on", "ended_on"]


@click.group(name="contract")
def command() -> None:
    """Contracts: award -> contract -> escrow -> assignments -> end."""


@command.command()
@click.argument("rfq_id", type=int)
@caller_option
@json_option
def create(rfq_id: int, as_subject: str | None, as_json: bool) -> None:
    """Make the contract of an AWARDED RFQ (returns the existing one on a retry)."""
    with client_for(as_subject) as client:
        emit(client.contracts.create_contract(rfq_id), as_json=as_json, columns=None if as_json else CONTRACT_COLUMNS)


@command.command()
@click.argument("contract_id", type=int)
@caller_option
@json_option
def activate(contract_id: int, as_subject: str | None, as_json: bool) -> None:
    """Hold the full contract amount in escrow on the business wallet."""
    with client_for(as_subject) as client:
        emit(client.contracts.activate_contract(contract_id), as_json=as_json, columns=None if as_json else CONTRACT_COLUMNS)


@command.command()
@click.argument("contract_id", type=int)
@click.option("--reason", default=None)
@caller_option
@json_option
def cancel(contract_id: int, reason: str | None, as_subject: str | None, as_json: bool) -> None:
    """Cancel a contract that was never activated."""
    with client_for(as_subject) as client:
        emit(client.contracts.cancel_contract(contract_id, reason), as_json=as_json, columns=None if as_json else CONTRACT_COLUMNS)


@command.command()
@click.option("--line", "line_id", type=int, required=True, help="Contract line id.")
@click.option("--vehicle", "vehicle_id", type=int, required=True, help="Vehicle id.")
@caller_option
@json_option
def assign(line_id: int, vehicle_id: int, as_subject: str | None, as_json: bool) -> None:
    """Assign one of the provider's vehicles to a contract line."""
    with client_for(as_subject) as client:
        emit(client.contracts.assign_vehicle(line_id, vehicle_id), as_json=as_json,
             columns=None if as_json else ASSIGNMENT_COLUMNS)


@command.command()
@click.argument("assignment_id", type=int)
@click.option("--reason", default=None)
@caller_option
@json_option
def unassign(assignment_id: int, reason: str | None, as_subject: str | None, as_json: bool) -> None:
    """Cancel an assignment before delivery."""
    with client_for(as_subject) as client:
        emit(client.contracts.cancel_assignment(assignment_id, reason), as_json=as_json,
             columns=None if as_json else ASSIGNMENT_COLUMNS)


@command.command()
@click.argument("contract_id", type=int)
@click.option("--reason", required=True)
@caller_option
@json_option
def terminate(contract_id: int, reason: str, as_subject: str | None, as_json: bool) -> None:
    """End an active contract early; the unearned part goes back to the business."""
    with client_for(as_subject) as client:
        emit(client.contracts.terminate_contract(contract_id, reason), as_json=as_json,
             columns=None if as_json else CONTRACT_COLUMNS)


@command.command()
@click.argument("contract_id", type=int)
@caller_option
@json_option
def complete(contract_id: int, as_subject: str | None, as_json: bool) -> None:
    """Complete a contract after its end date once every vehicle is back."""
    with client_for(as_subject) as client:
        emit(client.contracts.complete_contract(contract_id), as_json=as_json, columns=None if as_json else CONTRACT_COLUMNS)


@command.command()
@click.argument("contract_id", type=int)
def release(contract_id: int) -> None:
    """Back office: release what the contract can no longer earn."""
    with client_for(None) as client:
        emit({"contract_id": contract_id, "released": client.contracts.release_unearned(contract_id)}, as_json=False)


@command.command()
@click.argument("contract_id", type=int)
@caller_option
@json_option
def show(contract_id: int, as_subject: str | None, as_json: bool) -> None:
    """A contract with its parties, lines (escrow included) and assignments."""
    with client_for(as_subject) as client:
        data = client.contracts.get_contract(contract_id)
    if as_json:
        emit(data, as_json=True)
        return
    emit({k: data[k] for k in CONTRACT_COLUMNS}, as_json=False)
    click.echo()
    emit(data["lines"], as_json=False, title="lines:",
         columns=["id", "provider_id", "vehicle_type", "quantity", "unit_price", "days", "total_amount", "hold_id",
                  "escrowed", "settled_gross", "released"])
    click.echo()
    emit(data["assignments"], as_json=False, title="assignments:", columns=ASSIGNMENT_COLUMNS)


@command.command("list")
@click.option("--status", default=None)
@click.option("--limit", type=int, default=100, show_default=True)
@caller_option
@json_option
def list_(status: str | None, limit: int, as_subject: str | None, as_json: bool) -> None:
    """Contracts the caller is party to (all, for the back office)."""
    with client_for(as_subject) as client:
        emit(client.contracts.list_contracts(status, limit), as_json=as_json, columns=None if as_json else CONTRACT_COLUMNS)


@command.command()
@json_option
def check(as_json: bool) -> None:
    """Verify the escrow invariant and the other contract checks; exit 1 on any violation."""
    with client_for(None) as client:
        results = client.contracts.check()
    emit(results, as_json=as_json, columns=None if as_json else ["check_name", "ok", "violations"])
    failed = [r for r in results if not r.ok]
    if failed:
        if not as_json:
            for r in failed:
                click.echo(f"{r.check_name}: {r.violations} violation(s), e.g. {(r.sample or [])[:3]}", err=True)
        sys.exit(1)
