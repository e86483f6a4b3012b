"""The error catalogue cannot drift: codes raised in SQL, core.error and docs/errors.md agree."""

from __future__ import annotations

import re

import psycopg
import pytest

from mercato.config import project_root
from mercato.harness.docs import errors_markdown
from mercato.errors import MercatoError, from_psycopg, http_status

RAISE = re.compile(r"core\.raise\(\s*'([A-Z0-9_]+)'")


def raised_codes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in (project_root() / "db").rglob("*.sql"):
        if "tests" in path.parts:
            continue
        for code in RAISE.findall(path.read_text()):
            found.setdefault(code, []).append(str(path.relative_to(project_root())))
    return found


def test_every_raised_code_is_catalogued(postgresql: psycopg.Connection) -> None:
    catalogue = {r[0] for r in postgresql.execute("SELECT code FROM core.error")}
    raised = raised_codes()
    assert raised, "the scan must find core.raise calls"
    missing = {code: files for code, files in raised.items() if code not in catalogue}
    assert not missing, f"codes raised in db/ but missing from core.error: {missing}"


def test_no_bare_raise_exception_in_sql() -> None:
    offenders = []
    for path in (project_root() / "db").rglob("*.sql"):
        if "tests" in path.parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bRAISE\s+EXCEPTION\b", line, re.I) and "functions/core.sql" not in str(path):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "refuse with core.raise, not RAISE EXCEPTION:\n" + "\n".join(offenders)


def test_docs_errors_md_matches_database(db_url: str) -> None:
    path = project_root() / "docs" / "errors.md"
    assert path.exists(), "docs/errors.md is missing: run `mercato docs errors`"
    assert path.read_text() == errors_markdown(db_url), "docs/errors.md is stale: run `mercato docs errors`"


def test_every_catalogued_code_is_documented(postgresql: psycopg.Connection) -> None:
    text = (project_root() / "docs" / "errors.md").read_text()
    for (code, sqlstate) in postgresql.execute("SELECT code, sqlstate FROM core.error"):
        assert f"`{code}` | `{sqlstate}`" in text


@pytest.mark.parametrize("sqlstate", ["PT400", "PT401", "PT402", "PT404", "PT409", "PT422", "PT423", "PT500",
                                      "23505", "23503", "42501", "42883", "P0001", "22P02", "40001", "08006",
                                      "25006", "XX000"])
def test_python_http_mapping_matches_sql(postgresql: psycopg.Connection, sqlstate: str) -> None:
    assert http_status(sqlstate) == postgresql.execute("SELECT core.http_status(%s)", (sqlstate,)).fetchone()[0]


def test_psycopg_error_becomes_mercato_error(postgresql: psycopg.Connection) -> None:
    with pytest.raises(psycopg.Error) as info:
        postgresql.execute("SELECT core.raise('CORE_INVALID_ARGUMENT', 'p_x is NULL', 'pass p_x')")
    err = from_psycopg(info.value)
    assert isinstance(err, MercatoError)
    assert (err.code, err.sqlstate, err.http_status) == ("CORE_INVALID_ARGUMENT", "PT400", 400)
    assert err.detail == "p_x is NULL" and err.hint == "pass p_x"
    assert err.one_line().startswith("CORE_INVALID_ARGUMENT: an argument is missing or malformed — p_x is NULL")
