"""The developer harness: tools that exercise, measure and document Mercato, not part of the library.

* :mod:`~mercato.harness.postgrest` — the PostgREST emulator (one RPC transaction exactly as PostgREST runs it);
* :mod:`~mercato.harness.bench`, :mod:`~mercato.harness.bench_marketplace` — ``mercato bench`` (pgbench-driven load;
  the latter's SQL fixtures also build worlds for tests);
* :mod:`~mercato.harness.torture`, :mod:`~mercato.harness.torture_market` — ``mercato torture`` (crash-restarts);
* :mod:`~mercato.harness.fuzz` — ``mercato fuzz`` (needs the ``fuzz`` extra: hypothesis);
* :mod:`~mercato.harness.demo` — ``mercato demo``; :mod:`~mercato.harness.timeshift` moves a story into the past for
  the demo, the torture run and tests;
* :mod:`~mercato.harness.docs` — ``mercato docs`` (docs/errors.md and docs/api.md from the catalog);
* :mod:`~mercato.harness.pgbouncer` — a throwaway trust-auth pgbouncer for the session-state tests.

The library (:mod:`mercato.client` and its sub-clients, :mod:`mercato.sqitch`, :mod:`mercato.cluster`) never imports
this package; the CLI imports a harness module only inside the command that needs it. Importing this package imports
none of its modules.
"""
