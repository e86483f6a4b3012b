"""Mercato: a PostgreSQL-native platform for marketplaces that move money.

The business rules live in PostgreSQL; this package is a thin client (``mercato.client``),
the Sqitch-compatible deployer (``mercato.sqitch``), the embedded development cluster
(``mercato.cluster``) and the ``mercato`` command line (``mercato.cli``).
"""

__version__ = "0.1.0"
