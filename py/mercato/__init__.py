"""Mercato: a PostgreSQL-native platform for marketplaces that move money.

The business rules live in PostgreSQL. This package is, first, the library: a thin client (``mercato.client.Client``,
with one sub-client per module: ``client.ledger``, ``client.marketplace``, …), the Sqitch-compatible deployer
(``mercato.sqitch``), the embedded development cluster (``mercato.cluster``) and the ``mercato`` command line
(``mercato.cli``). The developer harness — the PostgREST emulator, benchmarks, torture and fuzz runs, the demo, the
docs generator — is ``mercato.harness``, which the library never imports.
"""

__version__ = "0.1.0"
