"""What every sub-client of :class:`mercato.client.Client` shares: calls through its client, typed rows.

A sub-client (``client.ledger``, ``client.marketplace``, …) holds the methods over the ``api`` wrappers of one
module's functions and nothing else; the transaction, the caller's claims and role and the connection pool are its
client's.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mercato.client import Client


class ModuleClient:
    """The methods over one module's ``api`` wrappers; calls go through the :class:`~mercato.client.Client` it
    belongs to (one transaction per call, as that client's caller)."""

    #: The module (PostgreSQL schema, ``schemas/<module>`` in sqitch.plan) whose functions the methods' api wrappers
    #: call; the attribute of :class:`~mercato.client.Client` that holds this sub-client.
    module: str = ""
    #: The module (schema) whose functions the api wrappers call, when the sub-client covers one part or use case of a
    #: module under a name of its own (``client.customers``: the customers, store credit, loyalty and refunds of
    #: ``orders``; ``client.purchasing``: the ``store`` module's purchasing); empty: ``module``.
    schema: str = ""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def _call(self, function: str, **params: Any) -> list[dict[str, Any]]:
        return self._client.call(function, **params)

    def _call_one(self, function: str, **params: Any) -> dict[str, Any] | None:
        return self._client.call_one(function, **params)

    def _call_value(self, function: str, **params: Any) -> Any:
        return self._client.call_value(function, **params)


def typed(cls: type, row: dict[str, Any] | None) -> Any:
    """Build a result dataclass from a row, keeping only the dataclass's fields."""
    if row is None:
        raise LookupError(f"no {cls.__name__} returned")
    return cls(**{f.name: row.get(f.name) for f in fields(cls)})


def json_doc(value: Any) -> str:
    """A JSON document for a jsonb parameter (Decimals as strings: the database parses amounts)."""
    return json.dumps(value, default=str)
