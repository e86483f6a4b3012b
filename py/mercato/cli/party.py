"""``mercato party``: businesses, providers, vehicles and insurance; verification by the platform; tiers."""

from __future__ import annotations

import click

from mercato.cli.common import caller_option, client_for, emit

DATE = click.DateTime(["%Y-%m-%d"])


@click.group(name="party")
def command() -> None:
    """Marketplace parties: registration, verification, vehicles, insurance, tiers."""


@command.command(name="register-business")
@click.option("--name", required=True)
@click.option("--type", "business_type", required=True)
@click.option("--tin", default=None)
@caller_option
def register_business(name: str, business_type: str, tin: str | None, as_subject: str | None) -> None:
    """The calling BUSINESS user registers its business (and gets its wallet); prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.parties.register_business(name, business_type, tin))


@command.command(name="register-provider")
@click.option("--name", required=True)
@click.option("--type", "provider_type", type=click.Choice(["INDIVIDUAL", "AGENT", "COMPANY"]), required=True)
@click.option("--tin", default=None)
@caller_option
def register_provider(name: str, provider_type: str, tin: str | None, as_subject: str | None) -> None:
    """The calling PROVIDER user registers its provider (and gets its wallet); prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.parties.register_provider(provider_type, name, tin))


@command.command()
@click.argument("kind", type=click.Choice(["business", "provider", "vehicle", "insurance"]))
@click.argument("party_id", type=int)
@click.argument("status")
@caller_option
def status(kind: str, party_id: int, status: str, as_subject: str | None) -> None:
    """Admin: set KYB (business), verification (provider), review (vehicle) or verify (insurance)."""
    with client_for(as_subject) as client:
        parties, fleet = client.parties, client.fleet
        {"business": parties.set_business_kyb, "provider": parties.set_provider_verification,
         "vehicle": fleet.set_vehicle_status, "insurance": fleet.verify_insurance}[kind](party_id, status)
    click.echo(f"{kind} {party_id}: {status}")


@command.command(name="add-vehicle")
@click.option("--plate", required=True)
@click.option("--type", "vehicle_type", required=True)
@click.option("--seats", type=int, required=True)
@click.option("--engine", default=None)
@click.option("--brand", default=None)
@click.option("--model", default=None)
@caller_option
def add_vehicle(plate: str, vehicle_type: str, seats: int, engine: str | None, brand: str | None, model: str | None,
                as_subject: str | None) -> None:
    """A provider registers a vehicle (under review until an admin activates it); prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.fleet.add_vehicle(plate, vehicle_type, seats, engine, brand, model))


@command.command(name="add-insurance")
@click.argument("vehicle_id", type=int)
@click.option("--type", "insurance_type", type=click.Choice(["THIRD_PARTY", "COMPREHENSIVE"]), required=True)
@click.option("--company", required=True)
@click.option("--from", "coverage_start", type=DATE, required=True)
@click.option("--to", "coverage_end", type=DATE, required=True)
@click.option("--certificate", required=True, help="URL of the certificate.")
@caller_option
def add_insurance(vehicle_id: int, insurance_type: str, company: str, coverage_start, coverage_end, certificate: str,
                  as_subject: str | None) -> None:
    """A provider files an insurance policy for one of its vehicles; prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.fleet.add_vehicle_insurance(vehicle_id, insurance_type, company, coverage_start.date(),
                                                coverage_end.date(), certificate))


@command.command()
@click.option("--days", type=click.IntRange(0, 3650), default=30, show_default=True)
@caller_option
@click.option("--json", "as_json", is_flag=True)
def expiring(days: int, as_subject: str | None, as_json: bool) -> None:
    """Insurance policies expiring within DAYS (a provider sees its own, an admin all)."""
    with client_for(as_subject) as client:
        emit(client.fleet.expiring_insurance(days), as_json=as_json)


@command.command(name="top-up")
@click.argument("business_id", type=int)
@click.argument("amount")
@click.option("--reference", required=True, help="Idempotency key.")
def top_up(business_id: int, amount: str, reference: str) -> None:
    """Back office: credit a business wallet from the bank clearing account; prints the ledger transaction."""
    with client_for(None) as client:
        click.echo(client.parties.top_up_business(business_id, amount, reference))


@command.command()
@caller_option
def tiers(as_subject: str | None) -> None:
    """Recalculate every provider's and business's tier (service role or admin)."""
    with client_for(as_subject) as client:
        emit(client.parties.recalculate_tiers(), as_json=False)
