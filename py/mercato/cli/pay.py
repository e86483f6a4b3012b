"""``mercato pay``: the payments product (issue 19; docs/payments.md). So far: KE-QR payloads.

``--as SUBJECT`` parses as that user, exactly as PostgREST would for their JWT; without it the CLI is the back office
(which alone builds codes until merchants come with payment intents). A refusal prints its code and the tag at fault.
"""

from __future__ import annotations

import json
from decimal import Decimal

import click

from mercato.cli.common import caller_option, client_for


@click.group(name="pay")
def command() -> None:
    """Payments: KE-QR codes, wallets, KYC levels, fees, merchants, invoices and merchant webhooks."""


@command.command(name="qr-parse")
@click.argument("payload")
@caller_option
def qr_parse(payload: str, as_subject: str | None) -> None:
    """Parse a KE-QR PAYLOAD (its CRC checked first) and print its fields as JSON."""
    with client_for(as_subject) as client:
        click.echo(json.dumps(client.payments.parse_ke_qr(payload), sort_keys=True))


@command.command(name="qr-build")
@click.option("--dynamic/--static", default=False, show_default=True, help="A fixed amount (dynamic) or not.")
@click.option("--template", type=click.Choice(["28", "29"]), default="28", show_default=True,
              help="Merchant account template: 28 a payment service provider, 29 a bank.")
@click.option("--provider", "provider_id", required=True, help="The PSP's or bank's identifier (subtag 00).")
@click.option("--account", "merchant_account", required=True, help="The merchant's account (subtag 01).")
@click.option("--mcc", required=True, help="Merchant category code, 4 digits.")
@click.option("--name", required=True, help="Merchant name (at most 25 characters).")
@click.option("--city", required=True, help="Merchant city (at most 15 characters).")
@click.option("--amount", type=Decimal, default=None, help="KES amount (required for a dynamic code).")
@click.option("--reference", default=None, help="Reference (tag 62/05), e.g. the payment intent.")
def qr_build(dynamic: bool, template: str, provider_id: str, merchant_account: str, mcc: str, name: str, city: str,
             amount: Decimal | None, reference: str | None) -> None:
    """Build a KE-QR payload as the back office and print it."""
    with client_for(None) as client:
        click.echo(client.payments.build_ke_qr(dynamic=dynamic, template=template, provider_id=provider_id,
                                               merchant_account=merchant_account, mcc=mcc, name=name, city=city,
                                               amount=amount, reference=reference))

# the rails' commands (funding sessions, withdrawals, rails and their secrets) live in their own file
from mercato.cli.pay_rails import COMMANDS as _rails_commands  # noqa: E402

for _c in _rails_commands:
    command.add_command(_c)

# Wallets, KYC levels and fees: mercato pay wallet … / kyc set / fee … (cli/pay_wallets.py)
from mercato.cli.pay_wallets import attach as _attach_wallets  # noqa: E402

_attach_wallets(command)

# payment intents and QR codes with server records live in their own file
from mercato.cli.pay_intents import attach as _attach_intents  # noqa: E402

_attach_intents(command)
# Merchants, invoices and merchant webhooks: mercato pay merchant … / invoice … / webhook … (cli/pay_billing.py)
from mercato.cli.pay_billing import attach as _attach_billing  # noqa: E402

_attach_billing(command)

# shops, goods escrow and installments live in their own file
from mercato.cli.pay_escrow import attach as _attach_escrow  # noqa: E402

_attach_escrow(command)
