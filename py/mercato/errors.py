"""Domain errors as Python exceptions.

Every refusal in Mercato's SQL is raised by ``core.raise``: SQLSTATE ``PTxyz`` (HTTP status xyz under
PostgREST) and a message ``"<CODE>: <human text>"``. :func:`from_psycopg` turns such a psycopg error
into a :class:`MercatoError` carrying the stable code; other database errors keep their SQLSTATE as code.
"""

from __future__ import annotations

import re

import psycopg

_CODE = re.compile(r"^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+): (.*)$", re.S)


class MercatoError(Exception):
    """A refusal from the database, with its stable code (see docs/errors.md)."""

    def __init__(self, code: str, message: str, *, sqlstate: str | None = None,
                 detail: str | None = None, hint: str | None = None) -> None:
        super().__init__(f"{code}: {message}" + (f" ({detail})" if detail else ""))
        self.code = code
        self.message = message
        self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint

    @property
    def http_status(self) -> int:
        """The HTTP status PostgREST gives this error (PTxyz -> xyz, else PostgREST's mapping)."""
        return http_status(self.sqlstate or "")

    def one_line(self) -> str:
        """A single human line for the CLI."""
        text = f"{self.code}: {self.message}"
        if self.detail:
            text += f" — {self.detail}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return " ".join(text.split())


class ConnectionFailed(MercatoError):
    """The database could not be reached."""


def http_status(sqlstate: str) -> int:
    """PostgREST's documented SQLSTATE -> HTTP mapping (mirrors core.http_status in SQL)."""
    if re.fullmatch(r"PT[1-5][0-9][0-9]", sqlstate):
        return int(sqlstate[2:])
    if sqlstate in ("23503", "23505"):
        return 409
    if sqlstate == "25006":
        return 405
    if sqlstate in ("42883", "42P01"):
        return 404
    if sqlstate == "42501":
        return 403
    if sqlstate == "P0001":
        return 400
    cls = sqlstate[:2]
    if cls in ("08", "53"):
        return 503
    if cls in ("0L", "0P", "28"):
        return 403
    if cls in ("09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX"):
        return 500
    return 400


def from_psycopg(exc: psycopg.Error) -> MercatoError:
    """Translate a psycopg error into a MercatoError (stable code when core.raise produced it)."""
    if isinstance(exc, psycopg.OperationalError) and getattr(exc, "sqlstate", None) is None:
        return ConnectionFailed("CONNECTION_FAILED", str(exc).strip().splitlines()[0] if str(exc) else "cannot connect")
    diag = exc.diag
    primary = diag.message_primary or str(exc)
    sqlstate = diag.sqlstate or getattr(exc, "sqlstate", None)
    match = _CODE.match(primary)
    if match:
        code, message = match.group(1), match.group(2)
    else:
        code, message = sqlstate or "UNKNOWN", primary
    return MercatoError(code, message, sqlstate=sqlstate, detail=diag.message_detail or None,
                        hint=diag.message_hint or None)
