"""``mercato pay wallet …``, ``mercato pay kyc set`` and ``mercato pay fee …``: wallets, KYC levels and fees of the
payments product (docs/payments.md), attached to the ``mercato pay`` group by :func:`attach` (cli/pay.py).

``--as SUBJECT`` acts as that user (its own wallets, its merchant's); without it the CLI is the back office. Amounts are
passed through as text and every fee is computed by the database. A refusal prints one ``error: <CODE>: …`` line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click

from mercato.cli.common import caller_option, client_for, emit

_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
_WALLET_COLUMNS = ["wallet_id", "owner_type", "user_id", "organization_id", "currency", "balance", "held", "available",
                   "status", "kyc_level"]


def _instant(value: str | None) -> dt.datetime | None:
    """An ISO date or date-time (UTC when no offset is given)."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: an ISO date or date-time, e.g. 2026-12-01 or 2026-12-01T08:00") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


@click.group(name="wallet")
def wallet() -> None:
    """Wallets: open one, list yours, a statement, the limits in force."""


@wallet.command(name="open")
@click.argument("currency")
@click.option("--org", "organization_id", type=int, default=None,
              help="Open the wallet of this organization (you act for it as ADMIN or OWNER).")
@caller_option
def wallet_open(currency: str, organization_id: int | None, as_subject: str | None) -> None:
    """Open (or find) your wallet in CURRENCY and print its id."""
    with client_for(as_subject) as client:
        click.echo(client.payments.open_wallet(currency, organization_id))


@wallet.command(name="list")
@_json_option
@caller_option
def wallet_list(as_json: bool, as_subject: str | None) -> None:
    """Your wallets and your organizations', with balances from the ledger."""
    with client_for(as_subject) as client:
        emit(client.payments.my_wallets(), as_json=as_json, columns=_WALLET_COLUMNS)


@wallet.command(name="statement")
@click.argument("wallet_id", type=int)
@click.option("--from", "from_", default=None, help="From this instant (ISO).")
@click.option("--to", default=None, help="Before this instant (ISO).")
@click.option("--after", "after_seq", type=int, default=0, show_default=True, help="Entries after this sequence.")
@click.option("--limit", type=int, default=100, show_default=True)
@_json_option
@caller_option
def wallet_statement(wallet_id: int, from_: str | None, to: str | None, after_seq: int, limit: int, as_json: bool,
                     as_subject: str | None) -> None:
    """The statement of WALLET_ID: ledger entries with the running balance."""
    with client_for(as_subject) as client:
        emit(client.payments.wallet_statement(wallet_id, from_=_instant(from_), to=_instant(to), after_seq=after_seq,
                                              limit=limit), as_json=as_json,
             columns=["seq", "posted_at", "amount", "balance_before", "balance_after", "reference", "memo"])


@wallet.command(name="limits")
@click.argument("wallet_id", type=int)
@_json_option
@caller_option
def wallet_limits(wallet_id: int, as_json: bool, as_subject: str | None) -> None:
    """The limits in force for WALLET_ID (KYC level, maximum balance, daily withdrawal)."""
    with client_for(as_subject) as client:
        emit(client.payments.wallet_limits(wallet_id), as_json=as_json,
             columns=["wallet_id", "currency", "kyc_level", "max_balance", "daily_withdrawal", "policy_version"])


@click.group(name="kyc")
def kyc() -> None:
    """KYC levels of users and organizations (payments.manage)."""


@kyc.command(name="set")
@click.argument("owner_type", type=click.Choice(["USER", "ORG"]))
@click.argument("owner_id", type=int)
@click.argument("level", type=click.IntRange(0, 3))
@click.option("--note", default="", help="Why (at most 500 characters).")
@caller_option
def kyc_set(owner_type: str, owner_id: int, level: int, note: str, as_subject: str | None) -> None:
    """Set the KYC LEVEL (0..3) of a USER or ORG."""
    with client_for(as_subject) as client:
        client.payments.set_kyc_level(owner_type, owner_id, level, note)
        click.echo(f"{owner_type} {owner_id}: KYC level {level}")


@click.group(name="fee")
def fee() -> None:
    """Fees: the catalog and merchant profiles, quotes, the fee report."""


@fee.command(name="set")
@click.argument("operation", type=click.Choice(["FUNDING", "WITHDRAWAL", "PAYMENT", "PAYOUT"]))
@click.argument("currency")
@click.argument("percent", type=Decimal)
@click.option("--merchant", "organization_id", type=int, default=None, help="A merchant's profile (else the catalog).")
@click.option("--rail", default=None, help="A rail code such as MPESA (else any rail).")
@click.option("--fixed", type=Decimal, default=Decimal("0"), show_default=True)
@click.option("--min", "min_fee", type=Decimal, default=Decimal("0"), show_default=True)
@click.option("--max", "max_fee", type=Decimal, default=None)
@click.option("--from", "effective_from", default=None, help="In force from (ISO; now by default, never in the past).")
@caller_option
def fee_set(operation: str, currency: str, percent: Decimal, organization_id: int | None, rail: str | None,
            fixed: Decimal, min_fee: Decimal, max_fee: Decimal | None, effective_from: str | None,
            as_subject: str | None) -> None:
    """Append a fee rule: PERCENT of the amount + --fixed, clamped to [--min, --max]; prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.payments.set_fee_rule(operation, currency, percent, organization_id=organization_id,
                                                rail=rail, fixed=fixed, min_fee=min_fee, max_fee=max_fee,
                                                effective_from=_instant(effective_from)))


@fee.command(name="quote")
@click.argument("operation", type=click.Choice(["FUNDING", "WITHDRAWAL", "PAYMENT", "PAYOUT"]))
@click.argument("currency")
@click.argument("amount", type=Decimal)
@click.option("--merchant", "organization_id", type=int, default=None)
@click.option("--rail", default=None)
@caller_option
def fee_quote(operation: str, currency: str, amount: Decimal, organization_id: int | None, rail: str | None,
              as_subject: str | None) -> None:
    """The fee the platform would charge now on AMOUNT."""
    with client_for(as_subject) as client:
        click.echo(client.payments.fee_quote(operation, currency, amount, rail=rail, organization_id=organization_id))


@fee.command(name="report")
@click.option("--from", "from_", required=True, help="Period start (ISO).")
@click.option("--to", required=True, help="Period end, excluded (ISO).")
@click.option("--merchant", "organization_id", type=int, default=None, help="One merchant (else all: back office).")
@_json_option
@caller_option
def fee_report(from_: str, to: str, organization_id: int | None, as_json: bool, as_subject: str | None) -> None:
    """The fees earned in a period per merchant, operation, rail and currency."""
    with client_for(as_subject) as client:
        emit(client.payments.fee_report(_instant(from_), _instant(to), organization_id), as_json=as_json,
             columns=["organization_id", "operation", "rail", "currency", "charges", "base_amount", "fees"])


def attach(group: click.Group) -> None:
    """Add ``wallet``, ``kyc`` and ``fee`` to the ``mercato pay`` group."""
    for sub in (wallet, kyc, fee):
        group.add_command(sub)
