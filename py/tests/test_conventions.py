"""CONVENTIONS.md, checked against the deployed catalog rather than trusted."""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import psycopg

from mercato.client import SUB_CLIENTS, Client
from mercato.config import plan_modules, project_root

#: Every Mercato schema: the modules sqitch.plan creates (test_the_plan_names_every_schema checks the list is whole).
SCHEMAS = plan_modules()


def rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query, (SCHEMAS,)).fetchall()


def test_the_plan_names_every_schema(postgresql: psycopg.Connection) -> None:
    """The schemas of a deployed database are exactly the modules the plan creates (plus PostgreSQL's own, ``public``
    for extensions, the Sqitch registry and the test helpers), so the checks here and every list derived from
    :func:`mercato.config.plan_modules` cover every schema."""
    deployed = {name for (name,) in postgresql.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema', 'sqitch', 'tests') "
        "AND nspname NOT LIKE 'pg\\_%'").fetchall()}
    assert deployed == set(SCHEMAS), (f"schemas the plan does not create: {deployed - set(SCHEMAS)}; "
                                      f"modules without a schema: {set(SCHEMAS) - deployed}")
    assert len(SCHEMAS) == len(set(SCHEMAS)) and {"core", "api"} <= set(SCHEMAS)


def test_every_function_has_a_comment_with_a_summary_line(postgresql: psycopg.Connection) -> None:
    missing = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s) AND p.prokind = 'f'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
           AND coalesce(btrim(split_part(obj_description(p.oid, 'pg_proc'), E'\\n', 1)), '') = ''""")
    assert not missing, f"functions without COMMENT ON FUNCTION: {missing}"


def test_every_function_pins_search_path(postgresql: psycopg.Connection) -> None:
    unpinned = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s) AND p.prokind = 'f'
           AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%%')""")
    assert not unpinned, f"functions without SET search_path: {unpinned}"


def test_security_definer_functions_pin_a_safe_search_path(postgresql: psycopg.Connection) -> None:
    unsafe = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s) AND p.prosecdef
           AND NOT ('search_path=pg_catalog, pg_temp' = ANY(coalesce(p.proconfig, '{}')))""")
    assert not unsafe, f"SECURITY DEFINER functions must SET search_path = pg_catalog, pg_temp: {unsafe}"


def test_nothing_is_executable_by_public(postgresql: psycopg.Connection) -> None:
    public = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s)
           AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                                            WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))""")
    assert not public, f"functions executable by PUBLIC (grant explicitly instead): {public}"


def test_every_table_has_a_comment(postgresql: psycopg.Connection) -> None:
    missing = rows(postgresql, """
        SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''""")
    assert not missing, f"tables without COMMENT ON TABLE: {missing}"


def test_no_table_is_writable_by_application_roles_except_by_grant(postgresql: psycopg.Connection) -> None:
    writable = rows(postgresql, """
        SELECT c.oid::regclass::text, a.privilege_type, a.grantee::regrole::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
         WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p')
           AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
           AND a.grantee = 0""")
    assert not writable, f"PUBLIC may modify: {writable}"


def test_timestamps_are_timestamptz(postgresql: psycopg.Connection) -> None:
    naive = rows(postgresql, """
        SELECT table_schema || '.' || table_name || '.' || column_name FROM information_schema.columns
         WHERE table_schema = ANY(%s) AND data_type = 'timestamp without time zone'""")
    assert not naive, f"use timestamptz: {naive}"


# -- the Python layout (CONVENTIONS.md, Layout: Python) -----------------------------------------------------------------

PACKAGE = project_root() / "py" / "mercato"


def _part(path: Path) -> str:
    """``harness``, ``cli`` or ``library`` (the client and its sub-clients, the deployer, the cluster, config, errors)."""
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if rel[0] in ("harness", "cli") else "library"


def _imports(path: Path, *, at_import_time: bool = False) -> set[str]:
    """The modules a file imports (``from a.b import c`` names ``a.b`` and ``a.b.c``); with ``at_import_time`` only
    the imports that run when the module is imported (not those inside functions)."""
    def walk(node: ast.AST):  # type: ignore[no-untyped-def]
        for child in ast.iter_child_nodes(node):
            if at_import_time and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            yield child
            yield from walk(child)

    found: set[str] = set()
    for node in walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_library_never_imports_the_harness() -> None:
    """The library imports neither the harness nor the CLI; a CLI module imports the harness only inside the command
    that needs it; and importing the library and the whole CLI (every command registered) loads no harness module."""
    wrong = []
    for path in _python_files():
        part = _part(path)
        if part == "library":
            wrong += [f"{path.name} imports {m}" for m in _imports(path)
                      if _within(m, "mercato.harness", "mercato.cli")]
        elif part == "cli":
            wrong += [f"cli/{path.name} imports {m} when it is imported" for m in _imports(path, at_import_time=True)
                      if _within(m, "mercato.harness")]
    assert not wrong, wrong
    library = sorted(f"mercato.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert {"mercato.client", "mercato.sqitch", "mercato.cluster", "mercato.ledger"} <= set(library)
    probe = ("import sys\n" + "".join(f"import {m}\n" for m in [*library, "mercato.cli"]) +
             "print(sorted(m for m in sys.modules if m.startswith('mercato.harness')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"imported with the library and the CLI: {result.stdout}"


def _requirement_name(spec: str) -> str:
    """The normalised distribution name of a requirement (``psycopg[binary]>=3.2`` -> ``psycopg``)."""
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1)).lower()


def test_every_import_is_declared() -> None:
    """Each third-party module a file imports comes from a distribution py/pyproject.toml declares where that file
    may use it: the library and the CLI from ``dependencies``, the harness also from an optional extra (``fuzz``:
    hypothesis), the tests from anything declared; and py/requirements.txt pins every declared distribution."""
    project = tomllib.loads((project_root() / "py" / "pyproject.toml").read_text())["project"]
    core = {_requirement_name(r) for r in project["dependencies"]}
    extras = {name: {_requirement_name(r) for r in reqs} for name, reqs in project["optional-dependencies"].items()}
    allowed = {"library": core, "cli": core,
               "harness": core.union(*(reqs for name, reqs in extras.items() if name != "test")),
               "tests": core.union(*extras.values())}
    distributions = {module: {_requirement_name(d) for d in dists}
                     for module, dists in importlib.metadata.packages_distributions().items()}
    files = [(path, _part(path)) for path in _python_files()]
    files += [(path, "tests") for path in sorted((project_root() / "py" / "tests").glob("*.py"))]
    local = {p.stem for p in (project_root() / "py" / "tests").glob("*.py")}
    undeclared = []
    for path, part in files:
        for module in sorted(_imports(path)):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in ("mercato", "__future__") or part == "tests" and top in local:
                continue
            dists = distributions.get(top, set())
            if not dists & allowed[part]:
                undeclared.append(f"{path.relative_to(project_root())} ({part}) imports {top} from "
                                  f"{sorted(dists) or 'no installed distribution'}")
    assert not undeclared, "\n".join(sorted(set(undeclared)))

    pinned = {_requirement_name(line.split("==")[0]) for line in
              (project_root() / "py" / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.lstrip().startswith("#") and "==" in line}
    assert core.union(*extras.values()) <= pinned, f"declared but not pinned: {core.union(*extras.values()) - pinned}"


def _api_wrappers() -> dict[str, str]:
    """api function -> the module of the function it wraps, from every ``core.wrap('api.f(…)', 'module.g(…)', …)``."""
    wraps = {}
    for path in (project_root() / "db").rglob("*.sql"):
        for m in re.finditer(r"core\.wrap\(\s*'api\.([a-z_0-9]+)\([^']*\)'\s*,\s*'([a-z_0-9]+)\.", path.read_text()):
            wraps[m.group(1)] = m.group(2)
    return wraps


def test_the_client_has_one_sub_client_per_module_and_no_flat_methods() -> None:
    """``client.<module>.<method>()`` is the one way to call an api function: Client itself carries only the caller
    and the transport; each sub-client is named after a module of sqitch.plan, has a docstring, and calls only the
    api wrappers of that module's functions."""
    assert {n for n in dir(Client) if not n.startswith("_")} == {"as_caller", "call", "call_one", "call_value", "close",
                                                                 "transaction"}
    client = Client(pool=object())   # a pool is given, so nothing connects
    modules = [sub.module for sub in SUB_CLIENTS]
    schemas = [sub.schema or sub.module for sub in SUB_CLIENTS]
    assert len(set(modules)) == len(modules) and set(schemas) <= set(plan_modules()), modules
    assert {n for n in vars(client) if not n.startswith("_")} == {"pool", "claims", "role", *modules}
    wraps = _api_wrappers()
    assert len(wraps) > 50, "found the api wrappers"
    wrong = []
    for sub in SUB_CLIENTS:
        assert isinstance(getattr(client, sub.module), sub) and (sub.__doc__ or "").strip(), sub
        assert Path(inspect.getfile(sub)).stem == sub.module, f"{sub.__name__} lives in mercato/{sub.module}.py"
        source = inspect.getsource(sub)
        called = re.findall(r"\._call(?:_one|_value)?\(\s*[\"']api\.([a-z_0-9]+)[\"']", source)
        assert called, f"{sub.__name__} calls no api function"
        assert len(called) == len(re.findall(r"\._call(?:_one|_value)?\(", source)), \
            f"{sub.__name__}: every call names its api function literally"
        wrong += [f"client.{sub.module} calls api.{fn}, which wraps {wraps.get(fn, 'no module function')}"
                  for fn in called if wraps.get(fn) != (sub.schema or sub.module)]
    assert not wrong, "\n".join(wrong)
