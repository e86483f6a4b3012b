"""A Sqitch-compatible deployer for PostgreSQL, written in Python over psycopg 3.

This module reads a Sqitch project (``sqitch.conf`` + ``sqitch.plan``) and deploys, reverts,
verifies and reports on it exactly the way Sqitch 1.3.1 records it, so that the real ``sqitch``
binary and Mercato can be used interchangeably on the same database:

* change and tag ids are the same SHA-1 "git object" hashes Sqitch computes;
* the registry (schema ``sqitch`` by default) has the same tables, columns and constraints as
  Sqitch's registry v1.1, and rows are written in the same order with the same values;
* the same advisory lock (``75474063``) serialises concurrent deployers, and each change
  transaction takes ``LOCK TABLE <registry>.changes IN EXCLUSIVE MODE``.

One deliberate difference: Sqitch runs scripts through ``psql`` in a separate session, so a
failing script can leave partial work behind. Here each change runs in a single transaction on
one connection -- script and registry rows commit together -- which is equivalent to
``sqitch deploy --mode change`` with the bonus of atomicity. A failed change is rolled back and a
``fail`` event is recorded afterwards, as Sqitch does; changes deployed before it stay deployed.
Scripts follow the Sqitch convention of wrapping themselves in ``BEGIN; … COMMIT;`` (verify
scripts in ``BEGIN; … ROLLBACK;``), which makes them atomic under the real ``sqitch`` and psql.
Here that outer wrapper is removed (:func:`unwrap_transaction`) so the body joins the change's
transaction. Scripts that issue other ``BEGIN``/``COMMIT`` statements still work (the registry rows
are then written in a follow-up transaction), but lose that atomicity.

Non-transactional changes: a deploy or revert script with a line ``-- mercato:no-transaction`` and
no ``BEGIN;``/``COMMIT;`` runs outside any transaction, one statement at a time, as psql runs it
for the real ``sqitch`` — for the statements PostgreSQL refuses inside a transaction block, such as
``CREATE INDEX CONCURRENTLY``. Its registry rows are written after the last statement succeeds; if
one fails, the statements before it stay applied and the change is not recorded, so such a script
must be safe to run again (``IF NOT EXISTS``, and ``DROP INDEX CONCURRENTLY IF EXISTS`` before a
``CREATE INDEX CONCURRENTLY`` that an earlier failure may have left invalid).

After a deploy or revert that changed anything, a ``NOTIFY pgrst, 'reload schema'`` tells a
running PostgREST to reload its schema cache (the event trigger of schemas/api does the same on
every DDL where it exists).

Scripts are executed with the simple query protocol, so they may contain many statements but no
psql meta-commands.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import pwd
import re
import socket
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

__all__ = [
    "SqitchError",
    "Dependency",
    "Tag",
    "Change",
    "Plan",
    "ProjectConfig",
    "Identity",
    "VerifyResult",
    "ChangeState",
    "Drift",
    "Status",
    "Event",
    "Engine",
    "LOCK_KEY",
    "REGISTRY_RELEASE",
]

#: The oldest PostgreSQL server Mercato deploys to (server_version_num); docs/operations.md, "Version support".
MIN_SERVER_VERSION = 150000

#: The advisory lock key Sqitch 1.3.1 uses for PostgreSQL (``pg_try_advisory_lock(75474063)``).
LOCK_KEY = 75474063
#: Registry schema version written to ``releases``.
REGISTRY_RELEASE = 1.1
SYNTAX_VERSION = "1.0.0"

LogFn = Callable[[str], None]


class SqitchError(Exception):
    """Any failure of the deployer, with a one-line, human-readable message."""

    def __init__(self, message: str) -> None:
        one_line = "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
        super().__init__(one_line)


# ---------------------------------------------------------------------------------------------
# Plan grammar (mirrors App::Sqitch::Plan's regular expressions)
# ---------------------------------------------------------------------------------------------

#: Like POSIX [:punct:] but without "_".
_PUNCT = "-!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~"
_P = "".join("\\" + ch for ch in _PUNCT)  # escaped for use inside a character class
#: A change, tag or project name: no leading/trailing punctuation, no blanks, ":", "@", "#" or
#: "\\", and no symbolic-reference look-alikes such as "~2" or "^3".
NAME_PATTERN = (
    rf"(?![{_P}])"
    rf"(?:(?![~/=%^][0-9]+(?:$|[ \t]))[^ \t:@#\\])+"
    rf"(?<![{_P}])\b"
)
_NAME_RE = re.compile(rf"\A{NAME_PATTERN}\Z")
_BLANK_LINE_RE = re.compile(r"\A(?P<lspace>[ \t]*)(?:#[ \t]*(?P<note>.+)|\Z)")
_INLINE_NOTE_RE = re.compile(r"(?P<rspace>[ \t]*)(?:#[ \t]*(?P<note>.*))?\Z")
_PRAGMA_RE = re.compile(
    rf"\A(?P<lspace>[ \t]*)?%(?P<hspace>[ \t]*)?"
    rf"(?P<name>[^{_P}](?:[^ \t=]*?[^{_P} \t])?)"
    rf"(?:(?P<lopspace>[ \t]*)(?P<operator>=)(?P<ropspace>[ \t]*)(?P<value>.+))?\Z"
)
_TS_PATTERN = (
    r"(?P<yr>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<dy>[0-9]{2})"
    r"T(?P<hr>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<sc>[0-9]{2})Z"
)
_TS_RE = re.compile(_TS_PATTERN)
_LINE_RE = re.compile(
    r"\A(?P<lspace>[ \t]*)?"
    r"(?:@|(?P<lopspace>[ \t]*)(?P<operator>[+-])(?P<ropspace>[ \t]*))?"
    rf"(?P<name>{NAME_PATTERN})"
    r"(?P<pspace>[ \t]+)?"
    r"(?:\[(?P<dependencies>[^\]]+)\][ \t]*)?"
    rf"(?:{_TS_PATTERN}[ \t]*)?"
    r"(?:(?P<planner_name>[^<]+)[ \t]+<(?P<planner_email>[^>]+)>)?"
    r"\Z"
)
_DEP_RE = re.compile(
    rf"\A(?P<conflicts>!?)"
    rf"(?:(?P<project>{NAME_PATTERN}):)?"
    rf"(?:(?P<id>[0-9a-f]{{40}})"
    rf"|(?P<change>{NAME_PATTERN})(?:@(?P<tag>{NAME_PATTERN}))?"
    rf"|(?:@(?P<tag2>{NAME_PATTERN}))?)\Z"
)
_OFFSET_RE = re.compile(rf"(?<![{_P}])([~^])(?:(\1)|([0-9]+))?\Z")
_SHA1_RE = re.compile(r"\A[0-9a-f]{40}\Z")
_RESERVED = {"ROOT", "HEAD"}
_UNESCAPE = {"\\n": "\n", "\\r": "\r", "\\\\": "\\"}


_TX_WRAPPER = re.compile(
    r"\A(?P<head>(?:\s+|--[^\n]*(?:\n|\Z))*)BEGIN\s*;(?P<body>.*;)(?P<mid>(?:\s+|--[^\n]*(?:\n|\Z))*)"
    r"(?:COMMIT|ROLLBACK)\s*;"
    r"(?P<tail>(?:\s+|--[^\n]*(?:\n|\Z))*)\Z",
    re.S | re.I,
)


_NO_TRANSACTION = re.compile(r"^--\s*mercato:no-transaction\b", re.M)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_BEGIN_ATOMIC = re.compile(r"\bBEGIN\s+ATOMIC\b", re.I)


def is_non_transactional(text: str) -> bool:
    """Whether a deploy/revert script is marked ``-- mercato:no-transaction`` (a line of its own)."""
    return bool(_NO_TRANSACTION.search(text))


def split_statements(text: str) -> list[str]:
    """Split an SQL script into its statements at the semicolons outside quotes, dollar quotes and comments.

    Statements that are only comments or whitespace are left out. SQL-standard function bodies
    (``BEGIN ATOMIC … END``) hold semicolons of their own and are refused: such a function belongs in a
    transactional change.
    """
    out: list[str] = []
    start, i, n, content = 0, 0, len(text), False
    while i < n:
        c = text[i]
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        if c in "'\"":
            backslash = c == "'" and i > 0 and text[i - 1] in "eE" and (i < 2 or not (text[i - 2].isalnum()
                                                                                     or text[i - 2] == "_"))
            i += 1
            while i < n:
                if backslash and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == c:
                    if text.startswith(c * 2, i):
                        i += 2
                        continue
                    break
                i += 1
            i, content = i + 1, True
            continue
        if c == "$" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_$")):
            tag = _DOLLAR_TAG.match(text, i)
            if tag:
                end = text.find(tag.group(), tag.end())
                i, content = (n if end < 0 else end + len(tag.group())), True
                continue
        if c == ";":
            if content:
                out.append(text[start:i + 1].strip())
            start, content = i + 1, False
        elif not c.isspace():
            content = True
        i += 1
    if content:
        out.append(text[start:].strip())
    for statement in out:
        if _BEGIN_ATOMIC.search(statement):
            raise SqitchError("a non-transactional script cannot hold a BEGIN ATOMIC function body: "
                              "put that function in a transactional change")
    return out


def unwrap_transaction(text: str) -> str:
    """Remove a script's outer ``BEGIN; … COMMIT;`` (or ``… ROLLBACK;``) wrapper, if it has one.

    Only a ``BEGIN;`` that is the first statement and a ``COMMIT;``/``ROLLBACK;`` that is the last
    one are removed; comments around them are kept. Anything else is returned unchanged.
    """
    match = _TX_WRAPPER.match(text)
    if not match:
        return text
    return match.group("head") + match.group("body") + match.group("mid") + match.group("tail")


def _clean_note(note: str | None) -> str:
    """Trim a plan note and decode its ``\\n``, ``\\r`` and ``\\\\`` escapes, like Sqitch."""
    if not note:
        return note or ""
    note = re.sub(r"\A\s+", "", note)
    note = re.sub(r"\s+\Z", "", note)
    return re.sub(r"\\[\\nr]", lambda m: _UNESCAPE[m.group(0)], note)


def _truthy(value: str) -> bool:
    """Perl truthiness of a string: empty and ``"0"`` are false."""
    return bool(value) and value != "0"


def _split_offset(key: str) -> tuple[str, int]:
    """Split a symbolic offset (``change~``, ``@tag^2``, ``HEAD~~``) off a change key."""
    m = _OFFSET_RE.search(key)
    if not m:
        return key, 0
    offset = int(m.group(3)) if m.group(3) is not None else (2 if m.group(2) else 1)
    if m.group(1) == "^":
        offset = -offset
    return key[: m.start()], offset


def canonical_uri(uri: str) -> str:
    """A light version of Perl ``URI->canonical``: lower-case scheme/host, drop default ports."""
    m = re.match(r"\A([A-Za-z][A-Za-z0-9+.-]*):(//([^/?#]*))?(.*)\Z", uri, re.S)
    if not m:
        return uri
    scheme = m.group(1).lower()
    if m.group(2) is None:
        return f"{scheme}:{m.group(4)}"
    authority, rest = m.group(3), m.group(4)
    userinfo, _, hostport = authority.rpartition("@")
    host, port = hostport, ""
    pm = re.match(r"\A(.*?)(?::([0-9]*))?\Z", hostport)
    if pm and not hostport.startswith("["):
        host, port = pm.group(1), pm.group(2) or ""
    default_ports = {"http": "80", "https": "443", "ftp": "21"}
    if port == default_ports.get(scheme) or port == "":
        port = ""
    authority = (userinfo + "@" if userinfo else "") + host.lower() + (":" + port if port else "")
    if scheme in ("http", "https") and rest[:1] in ("", "?", "#"):
        rest = "/" + rest
    return f"{scheme}://{authority}{rest}"


def _git_hash(kind: str, text: str) -> str:
    data = text.encode("utf-8")
    return hashlib.sha1(kind.encode() + b" " + str(len(data)).encode() + b"\0" + data).hexdigest()


def _fmt_ts(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# Plan objects
# ---------------------------------------------------------------------------------------------


@dataclass
class Dependency:
    """One entry of a change's ``[...]`` list: ``change``, ``!change``, ``proj:change@tag``, an id."""

    plan_project: str
    conflicts: bool = False
    project: str | None = None  # as written (``proj:``), None when absent
    change: str | None = None
    tag: str | None = None
    id: str | None = None

    @classmethod
    def parse(cls, spec: str, plan_project: str) -> Dependency | None:
        """Parse one dependency spec; ``None`` when it is not valid."""
        m = _DEP_RE.match(spec)
        if not m:
            return None
        tag = m.group("tag") or m.group("tag2")
        if not (m.group("change") or tag or m.group("id")):
            return None
        return cls(
            plan_project=plan_project,
            conflicts=bool(m.group("conflicts")),
            project=m.group("project"),
            change=m.group("change"),
            tag=tag,
            id=m.group("id"),
        )

    @property
    def type(self) -> str:
        """``require`` or ``conflict`` (the registry's ``dependencies.type``)."""
        return "conflict" if self.conflicts else "require"

    @property
    def key_name(self) -> str:
        """``change``, ``change@tag``, ``@tag`` or the id."""
        parts = (self.change or "") + (("@" + self.tag) if self.tag is not None else "")
        return parts or (self.id or "")

    def effective_project(self, plan: Plan | None = None) -> str | None:
        """The project the dependency belongs to (``None``: unknown, external id)."""
        if self.project is not None:
            return self.project
        if self.id is None:
            return self.plan_project
        if plan is not None and plan.find(self.id) is not None:
            return self.plan_project
        return None

    def is_external(self, plan: Plan | None = None) -> bool:
        """True when the dependency points into another project."""
        return self.effective_project(plan) != self.plan_project

    def as_string(self, plan: Plan | None = None) -> str:
        """How Sqitch prints it in ids, events and ``dependencies.dependency``."""
        proj = self.effective_project(plan)
        if proj is None or proj == self.plan_project:
            return self.key_name
        return f"{proj}:{self.key_name}"

    def as_plan_string(self, plan: Plan | None = None) -> str:
        """As written in a plan (with ``!`` for conflicts)."""
        return ("!" if self.conflicts else "") + self.as_string(plan)


@dataclass(eq=False)
class Tag:
    """A ``@tag`` line of the plan, attached to the change before it."""

    name: str
    timestamp: datetime
    planner_name: str
    planner_email: str
    note: str
    change: Change
    project: str
    uri: str | None
    lineno: int = 0

    @property
    def format_name(self) -> str:
        """``@name``."""
        return "@" + self.name

    @property
    def info(self) -> str:
        """The text whose SHA-1 is the tag id."""
        lines = [f"project {self.project}"]
        if self.uri:
            lines.append(f"uri {canonical_uri(self.uri)}")
        lines += [
            f"tag {self.format_name}",
            f"change {self.change.id}",
            f"planner {self.planner_name} <{self.planner_email}>",
            f"date {_fmt_ts(self.timestamp)}",
        ]
        if _truthy(self.note):
            lines += ["", self.note]
        return "\n".join(lines)

    @property
    def id(self) -> str:
        """Sqitch's tag id: SHA-1 of ``"tag <bytes>\\0" + info``."""
        return _git_hash("tag", self.info)


@dataclass(eq=False)
class Change:
    """A change line of the plan."""

    name: str
    timestamp: datetime
    planner_name: str
    planner_email: str
    note: str
    project: str
    uri: str | None
    requires: list[Dependency] = field(default_factory=list)
    conflicts: list[Dependency] = field(default_factory=list)
    operator: str = ""
    parent: Change | None = None
    since_tag: Tag | None = None
    tags: list[Tag] = field(default_factory=list)
    rework_tags: list[Tag] = field(default_factory=list)
    lineno: int = 0

    @property
    def format_name(self) -> str:
        """The change name."""
        return self.name

    @property
    def format_name_with_tags(self) -> str:
        """``name @tag1 @tag2`` as Sqitch prints it in progress lines."""
        return " ".join([self.name, *(t.format_name for t in self.tags)])

    @property
    def is_reworked(self) -> bool:
        """True for an older version of a change that was reworked later in the plan."""
        return bool(self.rework_tags)

    @property
    def dependencies(self) -> list[Dependency]:
        """Requires first, then conflicts (the order Sqitch logs them in)."""
        return [*self.requires, *self.conflicts]

    @property
    def info(self) -> str:
        """The text whose SHA-1 is the change id."""
        lines = [f"project {self.project}"]
        if self.uri:
            lines.append(f"uri {canonical_uri(self.uri)}")
        lines.append(f"change {self.name}")
        if self.parent is not None:
            lines.append(f"parent {self.parent.id}")
        lines += [
            f"planner {self.planner_name} <{self.planner_email}>",
            f"date {_fmt_ts(self.timestamp)}",
        ]
        if self.requires:
            lines.append("requires\n  + " + "\n  + ".join(d.as_string() for d in self.requires))
        if self.conflicts:
            lines.append("conflicts\n  - " + "\n  - ".join(d.as_string() for d in self.conflicts))
        if _truthy(self.note):
            lines += ["", self.note]
        return "\n".join(lines)

    @property
    def id(self) -> str:
        """Sqitch's change id: SHA-1 of ``"change <bytes>\\0" + info``."""
        cached = self.__dict__.get("_id")
        if cached is None:
            cached = self.__dict__["_id"] = _git_hash("change", self.info)
        return cached

    def script_path(self, kind: str, config: ProjectConfig) -> Path:
        """Where the ``deploy``/``revert``/``verify`` script of this change lives."""
        segments = self.name.split("/")
        ext = "." + config.extension
        if not self.rework_tags:
            return config.script_dir(kind).joinpath(*segments[:-1], segments[-1] + ext)
        base_dir = config.script_dir(kind, reworked=True)
        deploy_dir = config.script_dir("deploy", reworked=True)
        first: str | None = None
        chosen: str | None = None
        for tag in self.rework_tags:
            candidate = segments[-1] + tag.format_name + ext
            first = first or candidate
            if deploy_dir.joinpath(*segments[:-1], candidate).exists():
                chosen = candidate
                break
        return base_dir.joinpath(*segments[:-1], chosen or first or segments[-1] + ext)

    def script_hash(self, config: ProjectConfig) -> str | None:
        """SHA-1 of the deploy script's bytes (``None`` when it does not exist)."""
        path = self.script_path("deploy", config)
        if not path.is_file():
            return None
        return hashlib.sha1(path.read_bytes()).hexdigest()


@dataclass
class Plan:
    """A parsed ``sqitch.plan``: pragmas and the ordered list of changes (with their tags)."""

    path: Path
    project: str
    uri: str | None
    pragmas: dict[str, str]
    changes: list[Change]

    def __post_init__(self) -> None:
        self._lookup: dict[str, list[int]] = {}
        for idx, change in enumerate(self.changes):
            self._lookup.setdefault(change.name, []).append(idx)
            self._lookup[change.id] = [idx]
            for tag in change.tags:
                self._lookup[tag.format_name] = [idx]
                self._lookup[tag.id] = [idx]
        if self.changes:
            last = [len(self.changes) - 1]
            self._lookup["HEAD"] = self._lookup["@HEAD"] = last
            self._lookup["ROOT"] = self._lookup["@ROOT"] = [0]

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        """Read and parse a plan file; raises :class:`SqitchError` on any syntax problem."""
        path = Path(path)
        if not path.exists():
            raise SqitchError(f"plan file {path} does not exist")
        if not path.is_file():
            raise SqitchError(f"plan file {path} is not a regular file")
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SqitchError(f"plan file {path} is not valid UTF-8: {exc}") from None
        return cls.parse(text, path)

    @classmethod
    def parse(cls, text: str, path: str | Path = "sqitch.plan") -> Plan:
        """Parse plan text (see :meth:`load`)."""
        return _PlanParser(text, Path(path)).parse()

    # -- lookups ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def _index_of(self, key: str) -> int | None:
        name, at, tag = key.partition("@")
        if at and name == "":
            found = self._lookup.get("@" + tag)
            return found[0] if found else None
        idxs = self._lookup.get(name)
        if not idxs:
            return None
        if at:
            tag_idx = self._lookup.get("@" + tag)
            if not tag_idx:
                raise SqitchError(f'unknown tag "@{tag}"')
            for i in reversed(idxs):
                if i <= tag_idx[0]:
                    return i
            return None
        if len(idxs) > 1:
            options = ", ".join(self.tag_qualified_name(self.changes[i]) for i in reversed(idxs))
            raise SqitchError(
                f'change "{key}" is ambiguous; specify a tag-qualified change: {options}'
            )
        return idxs[0]

    def index_of(self, key: str) -> int | None:
        """Index of a change given as name, ``name@tag``, ``@tag``, id, ``HEAD``/``ROOT``,
        optionally with a ``~N``/``^N`` offset. ``None`` when unknown."""
        key, offset = _split_offset(key)
        idx = self._index_of(key)
        if idx is None:
            return None
        idx += offset
        return idx if 0 <= idx < len(self.changes) else None

    def first_index_of(self, key: str) -> int | None:
        """Index of the first change with that name (ignoring reworks)."""
        key, offset = _split_offset(key)
        idxs = self._lookup.get(key)
        if not idxs:
            return None
        idx = idxs[0] + offset
        return idx if 0 <= idx < len(self.changes) else None

    def find(self, key: str) -> Change | None:
        """The change for ``key`` (first occurrence for a bare name), or ``None``."""
        idx = self.index_of(key) if "@" in key else self.first_index_of(key)
        return None if idx is None else self.changes[idx]

    def get(self, change_id: str) -> Change | None:
        """The change with exactly this id, or ``None``."""
        if not _SHA1_RE.match(change_id):
            return None
        idx = self._lookup.get(change_id)
        return self.changes[idx[0]] if idx else None

    @staticmethod
    def tag_qualified_name(change: Change) -> str:
        """``name@tag`` for the tag (or rework tag) that follows the change, else ``name@HEAD``."""
        tags = change.tags or change.rework_tags
        return change.name + (tags[0].format_name if tags else "@HEAD")

    @property
    def tags(self) -> list[Tag]:
        """All tags in plan order."""
        return [tag for change in self.changes for tag in change.tags]


class _PlanParser:
    """One-shot parser implementing the plan grammar of Sqitch 1.3.1."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        self.lineno = 0

    def error(self, message: str) -> SqitchError:
        return SqitchError(f"syntax error in {self.path} at line {self.lineno}: {message}")

    def parse(self) -> Plan:
        pragmas: dict[str, str] = {}
        it = iter(self.lines)
        # Header: pragmas, terminated by the first blank line.
        for line in it:
            self.lineno += 1
            blank = _BLANK_LINE_RE.match(line)
            if blank:
                if not blank.group("note"):
                    break
                continue
            m = _INLINE_NOTE_RE.search(line)
            body = line[: m.start()] if m else line
            pm = _PRAGMA_RE.match(body)
            if not pm:
                raise self.error("invalid pragma; a blank line must come between pragmas and changes")
            name, value = pm.group("name"), pm.group("value")
            if name == "syntax-version":
                pragmas["syntax_version"] = SYNTAX_VERSION
            elif name == "project":
                if value is None or not _NAME_RE.match(value):
                    raise self.error(
                        f'invalid project name "{value or ""}": project names must not begin with '
                        'punctuation, contain "@", ":", "#", "\\" or blanks, or end in punctuation '
                        "or digits following punctuation"
                    )
                pragmas["project"] = value
            else:
                pragmas[name] = value if value is not None else "1"
        pragmas.setdefault("syntax_version", SYNTAX_VERSION)
        project = pragmas.get("project")
        if not project:
            raise SqitchError(f"missing %project pragma in {self.path}")
        uri = pragmas.get("uri") or None

        changes: list[Change] = []
        seen: dict[str, int] = {}  # names/tags before the current tag section -> line number
        section: dict[str, int] = {}  # change names since the last tag -> line number
        section_changes: list[Change] = []
        by_name: dict[str, Change] = {}
        prev_tag: Tag | None = None
        prev_change: Change | None = None

        for line in it:
            self.lineno += 1
            if _BLANK_LINE_RE.match(line):
                continue
            m = _INLINE_NOTE_RE.search(line)
            note = _clean_note(m.group("note")) if m else ""
            body = line[: m.start()] if m else line
            is_tag = bool(re.match(r"[ \t]*@", body))
            lm = _LINE_RE.match(body)
            p = lm.groupdict() if lm else {}
            if not p.get("name") or (not p.get("yr") and _TS_RE.search(body)):
                raise self.error(
                    'invalid name; names must not begin with punctuation, contain "@", ":", "#", '
                    '"\\" or blanks, or end in punctuation or digits following punctuation'
                )
            if not p.get("yr") and not p.get("planner_name"):
                raise self.error("missing timestamp and planner name and email")
            if not p.get("yr"):
                raise self.error("missing timestamp")
            if not p.get("planner_name"):
                raise self.error("missing planner name and email")
            name: str = p["name"]
            if name in _RESERVED:
                raise self.error(f'"{"@" if is_tag else ""}{name}" is a reserved name')
            if re.match(r"[0-9a-f]{40}", name):
                raise self.error(f'"{name}" is invalid because it could be confused with a SHA1 ID')
            try:
                ts = datetime(
                    int(p["yr"]), int(p["mo"]), int(p["dy"]),
                    int(p["hr"]), int(p["mi"]), int(p["sc"]), tzinfo=timezone.utc,
                )
            except ValueError as exc:
                raise self.error(f"invalid timestamp: {exc}") from None
            planner_name, planner_email = p["planner_name"], p["planner_email"]

            if is_tag:
                if "/" in name:
                    raise self.error(f'tag "{name}" contains illegal character /')
                if prev_change is None:
                    raise self.error(f'tag "{name}" declared without a preceding change')
                if "@" + name in seen:
                    raise self.error(
                        f'tag "{name}" duplicates earlier declaration on line {seen["@" + name]}'
                    )
                if p.get("dependencies"):
                    raise self.error("tags may not specify dependencies")
                if section_changes:
                    self._check_changes(project, seen, section_changes)
                    changes.extend(section_changes)
                    section_changes = []
                prev_tag = Tag(
                    name=name, timestamp=ts, planner_name=planner_name,
                    planner_email=planner_email, note=note, change=prev_change,
                    project=project, uri=uri, lineno=self.lineno,
                )
                prev_change.tags.append(prev_tag)
                seen.update(section)
                seen["@" + name] = self.lineno
                section = {}
                continue

            if name in section:
                raise self.error(
                    f'change "{name}" duplicates earlier declaration on line {section[name]}'
                )
            requires: list[Dependency] = []
            conflicts: list[Dependency] = []
            if p.get("dependencies"):
                seen_deps: set[str] = set()
                for spec in re.split(r"[ \t]+", p["dependencies"].strip(" \t")):
                    if not spec:
                        continue
                    dep = Dependency.parse(spec, project)
                    if dep is None:
                        raise self.error(f'"{spec}" is not a valid dependency specification')
                    if spec in seen_deps:
                        raise self.error(f'duplicate dependency "{spec}"')
                    seen_deps.add(spec)
                    (conflicts if dep.conflicts else requires).append(dep)
            change = Change(
                name=name, timestamp=ts, planner_name=planner_name, planner_email=planner_email,
                note=note, project=project, uri=uri, requires=requires, conflicts=conflicts,
                operator=p.get("operator") or "", parent=prev_change, since_tag=prev_tag,
                lineno=self.lineno,
            )
            section[name] = self.lineno
            section_changes.append(change)
            prev_change = change
            duped = by_name.get(name)
            if duped is not None:
                rework: list[Tag] = []
                for earlier in reversed(changes):
                    if earlier is duped:
                        break
                    rework.extend(earlier.tags)
                duped.rework_tags.extend([*rework, *duped.tags])
            by_name[name] = change

        if section_changes:
            self._check_changes(project, seen, section_changes)
            changes.extend(section_changes)
        return Plan(path=self.path, project=project, uri=uri, pragmas=pragmas, changes=changes)

    def _check_changes(self, project: str, seen: dict[str, int], changes: list[Change]) -> None:
        """Every in-project requirement must be planned before the change that needs it."""
        position: dict[str, int] = {}
        errors: list[str] = []
        for i, change in enumerate(changes, start=1):
            for dep in change.requires:
                if dep.project is not None:
                    if dep.project != project:
                        continue
                elif dep.id is not None:
                    continue
                key = dep.key_name
                if re.search(r".@", key):
                    cname, _, tag = key.partition("@")
                    tag_at, change_at = seen.get("@" + tag), seen.get(cname)
                    if tag_at and change_at and change_at < tag_at:
                        continue
                elif key in seen or key in position:
                    continue
                if key == change.name:
                    errors.append(f'change "{change.name}" (line {change.lineno}) cannot require itself')
                elif key in (c.name for c in changes):
                    errors.append(
                        f'change "{change.name}" (line {change.lineno}) is planned before '
                        f'required change "{key}"'
                    )
                else:
                    errors.append(
                        f'unknown change "{key}" required by change "{change.name}" '
                        f"(line {change.lineno})"
                    )
            position[change.name] = i
        if errors:
            raise SqitchError(f"dependency error in {self.path}: " + "; ".join(errors))


# ---------------------------------------------------------------------------------------------
# Configuration and identity
# ---------------------------------------------------------------------------------------------


def read_git_config(path: Path) -> dict[str, str]:
    """Parse a git-config style file (as ``sqitch.conf`` is) into ``{"section.sub.key": value}``.

    Section and key names are lower-cased; subsection names (``[engine "pg"]``) keep their case.
    Supports ``#``/``;`` comments, quoted values and backslash escapes. Missing file -> ``{}``.
    """
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    section = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            m = re.match(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(?:[#;].*)?\Z', line)
            if not m:
                raise SqitchError(f"bad config line {lineno} in {path}: {raw.strip()}")
            section = m.group(1).lower()
            if m.group(2) is not None:
                section += "." + re.sub(r"\\(.)", r"\1", m.group(2))
            continue
        m = re.match(r"([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*(.*))?\Z", line)
        if not m or not section:
            raise SqitchError(f"bad config line {lineno} in {path}: {raw.strip()}")
        key = f"{section}.{m.group(1).lower()}"
        out[key] = _config_value(m.group(2)) if m.group(2) is not None else "true"
    return out


def _config_value(raw: str) -> str:
    value, quoted, i = [], False, 0
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and i + 1 < len(raw):
            i += 1
            value.append({"n": "\n", "t": "\t", "b": "\b"}.get(raw[i], raw[i]))
        elif ch in "#;" and not quoted:
            break
        else:
            value.append(ch)
        i += 1
    return "".join(value).strip() if not quoted else "".join(value)


@dataclass
class ProjectConfig:
    """The parts of ``sqitch.conf`` the deployer needs, with Sqitch's defaults."""

    root: Path
    values: dict[str, str] = field(default_factory=dict)
    engine: str = "pg"

    @classmethod
    def load(cls, root: Path) -> ProjectConfig:
        """Read ``<root>/sqitch.conf`` (absent file: all defaults)."""
        values = read_git_config(root / "sqitch.conf")
        engine = values.get("core.engine", "pg")
        if engine != "pg":
            raise SqitchError(f'unsupported engine "{engine}" in {root / "sqitch.conf"} (only pg)')
        return cls(root=root, values=values, engine=engine)

    def get(self, key: str) -> str | None:
        """``engine.pg.<key>`` then ``core.<key>`` (Sqitch's lookup order without targets)."""
        return self.values.get(f"engine.{self.engine}.{key}") or self.values.get(f"core.{key}") or None

    def _path(self, value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else self.root / p

    @property
    def top_dir(self) -> Path:
        return self._path(self.get("top_dir") or ".")

    @property
    def plan_file(self) -> Path:
        value = self.get("plan_file")
        return self._path(value) if value else self.top_dir / "sqitch.plan"

    @property
    def extension(self) -> str:
        return self.get("extension") or "sql"

    @property
    def registry(self) -> str:
        return self.get("registry") or "sqitch"

    def script_dir(self, kind: str, *, reworked: bool = False) -> Path:
        """Directory of ``deploy``/``revert``/``verify`` scripts (or of their reworked copies)."""
        if reworked:
            value = self.get(f"reworked_{kind}_dir")
            if value:
                return self._path(value)
            base = self.get("reworked_dir")
            return (self._path(base) if base else self.top_dir) / kind
        value = self.get(f"{kind}_dir")
        return self._path(value) if value else self.top_dir / kind


@dataclass(frozen=True)
class Identity:
    """Who is deploying (the registry's committer/installer name and email)."""

    name: str
    email: str

    @classmethod
    def detect(cls, config: ProjectConfig | None = None) -> Identity:
        """``SQITCH_FULLNAME``/``SQITCH_EMAIL``, then ``user.*`` in sqitch config files, then
        ``git config user.*``, then the OS user (``user@hostname``)."""
        values: dict[str, str] = {}
        user_conf = os.environ.get("SQITCH_USER_CONFIG") or str(Path.home() / ".sqitch" / "sqitch.conf")
        for path in (os.environ.get("SQITCH_SYSTEM_CONFIG"), user_conf):
            if path:
                try:
                    values.update(read_git_config(Path(path)))
                except (SqitchError, OSError):
                    pass
        if config is not None:
            values.update(config.values)

        def git(key: str) -> str | None:
            try:
                out = subprocess.run(["git", "config", "--get", key], capture_output=True,
                                     text=True, timeout=5, check=False,
                                     cwd=str(config.root) if config else None)
            except (OSError, subprocess.SubprocessError):
                return None
            return out.stdout.strip() or None

        sysuser = os.environ.get("SQITCH_ORIG_SYSUSER") or _sysuser()
        name = (os.environ.get("SQITCH_FULLNAME") or values.get("user.name") or git("user.name")
                or os.environ.get("SQITCH_ORIG_FULLNAME"))
        if not name:
            try:
                gecos = pwd.getpwnam(sysuser).pw_gecos.split(",")[0].strip()
            except KeyError:
                gecos = ""
            name = gecos or sysuser
        email = (os.environ.get("SQITCH_EMAIL") or values.get("user.email") or git("user.email")
                 or os.environ.get("SQITCH_ORIG_EMAIL") or f"{sysuser}@{socket.gethostname()}")
        return cls(name=name, email=email)


def _sysuser() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return getpass.getuser()


# ---------------------------------------------------------------------------------------------
# Registry DDL (same structure as Sqitch 1.3.1's registry v1.1 for PostgreSQL)
# ---------------------------------------------------------------------------------------------

_REGISTRY_DDL = """
CREATE SCHEMA IF NOT EXISTS {r};
COMMENT ON SCHEMA {r} IS 'Sqitch database deployment metadata v1.1.';

CREATE TABLE {r}.releases (
    version         REAL        PRIMARY KEY,
    installed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    installer_name  TEXT        NOT NULL,
    installer_email TEXT        NOT NULL
);
COMMENT ON TABLE {r}.releases IS 'Versions of the deployment registry installed here.';

CREATE TABLE {r}.projects (
    project         TEXT        PRIMARY KEY,
    uri             TEXT            NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    creator_name    TEXT        NOT NULL,
    creator_email   TEXT        NOT NULL
);
COMMENT ON TABLE {r}.projects IS 'Projects that have deployed changes to this database.';

CREATE TABLE {r}.changes (
    change_id       TEXT        PRIMARY KEY,
    script_hash     TEXT            NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES {r}.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE(project, script_hash)
);
COMMENT ON TABLE {r}.changes IS 'Changes deployed to this database right now.';

CREATE TABLE {r}.tags (
    tag_id          TEXT        PRIMARY KEY,
    tag             TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES {r}.projects(project) ON UPDATE CASCADE,
    change_id       TEXT        NOT NULL REFERENCES {r}.changes(change_id) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE(project, tag)
);
COMMENT ON TABLE {r}.tags IS 'Tags applied to this database right now.';

CREATE TABLE {r}.dependencies (
    change_id       TEXT        NOT NULL REFERENCES {r}.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
    type            TEXT        NOT NULL,
    dependency      TEXT        NOT NULL,
    dependency_id   TEXT            NULL REFERENCES {r}.changes(change_id) ON UPDATE CASCADE CONSTRAINT dependencies_check CHECK (
            (type = 'require'  AND dependency_id IS NOT NULL)
         OR (type = 'conflict' AND dependency_id IS NULL)
    ),
    PRIMARY KEY (change_id, dependency)
);
COMMENT ON TABLE {r}.dependencies IS 'Dependencies of the deployed changes and what they resolved to.';

CREATE TABLE {r}.events (
    event           TEXT        NOT NULL CONSTRAINT events_event_check CHECK (
        event IN ('deploy', 'revert', 'fail', 'merge')
    ),
    change_id       TEXT        NOT NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES {r}.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    requires        TEXT[]      NOT NULL DEFAULT '{{}}',
    conflicts       TEXT[]      NOT NULL DEFAULT '{{}}',
    tags            TEXT[]      NOT NULL DEFAULT '{{}}',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    PRIMARY KEY (change_id, committed_at)
);
COMMENT ON TABLE {r}.events IS 'Full history of deploy, revert and fail events.';
"""


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    """Outcome of verifying one deployed change."""

    change: str
    change_id: str
    ok: bool
    message: str = ""


@dataclass
class ChangeState:
    """A deployed change as recorded in the registry."""

    change_id: str
    change: str
    project: str
    note: str
    tags: list[str]
    committed_at: datetime
    committer_name: str
    committer_email: str
    planned_at: datetime
    planner_name: str
    planner_email: str
    script_hash: str | None = None


@dataclass
class Drift:
    """A deployed change whose deploy script is no longer the one the registry recorded.

    ``deployed_hash`` is the registry's ``script_hash`` (SHA-1 of the deploy script when it was deployed),
    ``current_hash`` that of the file the plan now names for the change (``None`` when the file is missing or the
    change is no longer in the plan), ``script`` that file's path (``None`` when not in the plan).
    """

    change: str
    change_id: str
    script: str | None
    deployed_hash: str
    current_hash: str | None
    reason: str


@dataclass
class Status:
    """Where a database stands relative to the plan."""

    project: str
    destination: str
    last_change: ChangeState | None
    deployed_count: int
    pending: list[str]
    drift: list[Drift] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        """Something is deployed and nothing is pending."""
        return self.last_change is not None and not self.pending

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (datetimes as ISO 8601 strings)."""
        return _jsonable({**asdict(self), "up_to_date": self.up_to_date})


@dataclass
class Event:
    """One row of the registry's ``events`` table."""

    event: str
    project: str
    change_id: str
    change: str
    note: str
    requires: list[str]
    conflicts: list[str]
    tags: list[str]
    committed_at: datetime
    committer_name: str
    committer_email: str
    planned_at: datetime
    planner_name: str
    planner_email: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (datetimes as ISO 8601 strings)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Engine
# ---------------------------------------------------------------------------------------------


def _pg_message(exc: BaseException) -> str:
    """First line of a PostgreSQL/psycopg error, prefixed with its SQLSTATE when known."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    lines = str(exc).strip().splitlines()
    text = primary or (lines[0] if lines else type(exc).__name__)
    state = getattr(exc, "sqlstate", None)
    return f"{text} (SQLSTATE {state})" if state else text


class Engine:
    """Deploy, revert, verify and inspect a Sqitch project on one PostgreSQL database."""

    def __init__(
        self,
        conninfo: str,
        plan: Plan,
        config: ProjectConfig,
        *,
        log: LogFn | None = None,
        identity: Identity | None = None,
        lock_timeout: float = 60.0,
    ) -> None:
        self.conninfo = conninfo
        self.plan = plan
        self.config = config
        self.log_fn: LogFn = log or (lambda _line: None)
        self._identity = identity
        self.lock_timeout = lock_timeout
        self.registry = config.registry
        self._conn: psycopg.Connection | None = None

    @classmethod
    def from_project(cls, conninfo: str, root: Path | None = None, *, log: LogFn | None = None) -> Engine:
        """An engine for the project at ``root`` (default: :func:`mercato.config.project_root`)."""
        if root is None:
            from mercato.config import project_root

            root = project_root()
        root = Path(root)
        config = ProjectConfig.load(root)
        return cls(conninfo, Plan.load(config.plan_file), config, log=log)

    # -- plumbing -----------------------------------------------------------------------------

    @property
    def identity(self) -> Identity:
        """Committer identity (detected lazily)."""
        if self._identity is None:
            self._identity = Identity.detect(self.config)
        return self._identity

    @property
    def destination(self) -> str:
        """``db:pg://user@host:port/dbname`` (never includes a password)."""
        try:
            info = conninfo_to_dict(self.conninfo)
        except psycopg.ProgrammingError:
            return "db:pg:"
        user = info.get("user", "")
        host = info.get("host", "")
        port = info.get("port", "")
        db = info.get("dbname", "")
        auth = f"{user}@" if user else ""
        return f"db:pg://{auth}{host}{':' + str(port) if port else ''}/{db}"

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            first = (str(exc).strip().splitlines() or ["connection failed"])[-1]
            for line in str(exc).strip().splitlines():
                if "failed" in line or "refused" in line or "does not exist" in line:
                    first = line.strip()
                    break
            raise SqitchError(f"cannot connect to {self.destination}: {first}") from None
        conn.execute("SET client_min_messages = WARNING")
        return conn

    @property
    def conn(self) -> psycopg.Connection:
        """The engine's connection (autocommit; transactions are managed explicitly)."""
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def close(self) -> None:
        """Close the connection (releasing the advisory lock if held)."""
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _r(self, table: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.registry), sql.Identifier(table))

    def _q(self, query: str, params: Iterable[Any] | None = None) -> list[tuple]:
        """Run a registry query; ``{r}`` in ``query`` is the quoted registry schema."""
        q = sql.SQL(query).format(r=sql.Identifier(self.registry))
        cur = self.conn.execute(q, list(params) if params is not None else None)
        return cur.fetchall() if cur.description else []

    def _begin_work(self) -> None:
        self.conn.execute("BEGIN")
        self._q("LOCK TABLE {r}.changes IN EXCLUSIVE MODE")

    def _end_work(self, commit: bool) -> None:
        if self.conn.info.transaction_status != TransactionStatus.IDLE:
            self.conn.execute("COMMIT" if commit else "ROLLBACK")

    def initialized(self) -> bool:
        """Whether the registry's ``changes`` table exists."""
        return bool(self.conn.execute(
            "SELECT EXISTS(SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = 'changes')",
            [self.registry],
        ).fetchone()[0])

    def registry_version(self) -> float:
        """``MAX(version)`` from ``releases`` (0 when there is no registry)."""
        if not self.initialized():
            return 0.0
        row = self._q("SELECT MAX(version)::text FROM {r}.releases")
        return float(row[0][0]) if row and row[0][0] else 0.0

    def _check_registry(self) -> bool:
        """False when no registry exists; raises when it has another version."""
        version = self.registry_version()
        if version == 0.0 and not self.initialized():
            return False
        if abs(version - REGISTRY_RELEASE) > 1e-6:
            raise SqitchError(
                f"registry {self.registry} is at version {version} but this deployer knows "
                f"{REGISTRY_RELEASE}; upgrade it with sqitch upgrade"
            )
        return True

    def _initialize(self) -> None:
        self.log_fn(f"Adding registry tables to {self.destination}")
        ddl = _REGISTRY_DDL.format(r=sql.Identifier(self.registry).as_string(self.conn))
        self.conn.execute("BEGIN")
        try:
            self.conn.execute(ddl)
            self._q(
                "INSERT INTO {r}.releases (version, installed_at, installer_name, installer_email)"
                " VALUES (%s, pg_catalog.clock_timestamp(), %s, %s)",
                [REGISTRY_RELEASE, self.identity.name, self.identity.email],
            )
        except BaseException:
            self._end_work(False)
            raise
        self._end_work(True)

    def _register_project(self) -> None:
        plan, uri = self.plan, self.plan.uri
        rows = self._q("SELECT uri FROM {r}.projects WHERE project = %s", [plan.project])
        if rows:
            reg_uri = rows[0][0]
            if uri != reg_uri:
                raise SqitchError(
                    f'cannot register "{plan.project}" with URI {uri or "NULL"}: already exists '
                    f"with URI {reg_uri or 'NULL'}"
                )
            return
        if uri is not None:
            other = self._q("SELECT project FROM {r}.projects WHERE uri = %s", [uri])
            if other:
                raise SqitchError(
                    f'cannot register "{plan.project}" with URI {uri}: project "{other[0][0]}" '
                    "already uses that URI"
                )
        self._q(
            "INSERT INTO {r}.projects (project, uri, creator_name, creator_email, created_at)"
            " VALUES (%s, %s, %s, %s, pg_catalog.clock_timestamp())",
            [plan.project, uri, self.identity.name, self.identity.email],
        )

    def _lock(self) -> None:
        """Take Sqitch's advisory lock, waiting up to ``lock_timeout`` seconds."""
        if self.conn.execute("SELECT pg_catalog.pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]:
            return
        self.log_fn(
            f"Blocked by another instance of Sqitch working on {self.destination}; "
            f"waiting {self.lock_timeout:g} seconds..."
        )
        try:
            self.conn.execute(f"SET lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
            self.conn.execute("SELECT pg_catalog.pg_advisory_lock(%s)", [LOCK_KEY])
        except psycopg.errors.LockNotAvailable:
            raise SqitchError(
                f"timed out waiting {self.lock_timeout:g} seconds for another instance of Sqitch "
                f"to finish work on {self.destination}"
            ) from None
        finally:
            if self.conn.info.transaction_status == TransactionStatus.IDLE:
                self.conn.execute("RESET lock_timeout")

    def _unlock(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._end_work(False)
            self.conn.execute("SELECT pg_catalog.pg_advisory_unlock(%s)", [LOCK_KEY])

    def _read_script(self, change: Change, kind: str) -> tuple[Path, str]:
        path = change.script_path(kind, self.config)
        if not path.is_file():
            raise SqitchError(f'{kind} script {path} for change "{change.name}" does not exist')
        try:
            return path, path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SqitchError(f"{kind} script {path} is not valid UTF-8: {exc}") from None

    def _run_script(self, text: str) -> None:
        """Run a script in the current transaction with a fresh session state (like psql)."""
        self.conn.execute("RESET ALL")
        self.conn.execute("RESET ROLE")
        self.conn.execute("SET client_min_messages = WARNING")
        text = unwrap_transaction(text)
        if text.strip():
            self.conn.execute(text, prepare=False)

    def _run_change_script(self, kind: str, path: Path, text: str) -> None:
        """Run a deploy or revert script and leave a transaction open (registry lock taken) for its registry rows:
        the script inside that transaction, or, when marked ``-- mercato:no-transaction``, before it."""
        if is_non_transactional(text):
            self._run_outside_transaction(path, text)
            self._begin_work()
        else:
            self._begin_work()
            try:
                self._run_script(text)
            except psycopg.Error as exc:
                raise SqitchError(f"{kind} script {path} failed: {_pg_message(exc)}") from None
        self._after_script()

    def _run_outside_transaction(self, path: Path, text: str) -> None:
        """Run a ``-- mercato:no-transaction`` script one statement at a time in autocommit mode (as psql would)."""
        if _TX_WRAPPER.match(text):
            raise SqitchError(f"{path} is marked mercato:no-transaction but wraps itself in BEGIN/COMMIT: "
                              "drop one or the other")
        statements = split_statements(text)
        self._end_work(True)
        self._run_script("")
        try:
            for statement in statements:
                self.conn.execute(statement, prepare=False)
        except psycopg.Error as exc:
            raise SqitchError(
                f"{path} failed: {_pg_message(exc)} (a non-transactional script: the statements before the failing "
                "one stay applied and the change is not recorded; the script must be safe to run again)") from None
        finally:
            self._end_work(False)
            self.conn.execute("RESET ALL")

    def _after_script(self) -> None:
        """Restore a state in which registry rows can be written after a user script."""
        status = self.conn.info.transaction_status
        if status == TransactionStatus.IDLE:
            # The script committed by itself; continue in a new transaction.
            self._begin_work()
        self.conn.execute("RESET ROLE")

    # -- state --------------------------------------------------------------------------------

    _STATE_COLS = """
        c.change_id, c.change, c.project, c.note,
        ARRAY(SELECT t.tag FROM {r}.tags t WHERE t.change_id = c.change_id ORDER BY t.tag),
        c.committed_at, c.committer_name, c.committer_email,
        c.planned_at, c.planner_name, c.planner_email, c.script_hash
    """

    def deployed_changes(self) -> list[ChangeState]:
        """Deployed changes of this project, oldest first (empty without a registry)."""
        if not self.initialized():
            return []
        rows = self._q(
            "SELECT" + self._STATE_COLS + "FROM {r}.changes c WHERE c.project = %s ORDER BY c.committed_at",
            [self.plan.project],
        )
        return [ChangeState(*row) for row in rows]

    def _plan_index(self, state: ChangeState) -> int:
        idx = self.plan.index_of(state.change_id)
        if idx is None:
            raise SqitchError(
                f"deployed change {state.change} ({state.change_id}) is not in {self.plan.path}; "
                "is this the right database for this project?"
            )
        return idx

    def status(self) -> Status:
        """Project, last deployed change, number deployed, the pending changes and the drifted ones."""
        try:
            deployed = self.deployed_changes()
            last = deployed[-1] if deployed else None
            position = self._plan_index(last) if last else -1
            pending = [c.format_name_with_tags for c in self.plan.changes[position + 1:]]
            return Status(self.plan.project, self.destination, last, len(deployed), pending,
                          self._drift(deployed))
        finally:
            self.close()

    # -- drift --------------------------------------------------------------------------------

    def drift(self) -> list[Drift]:
        """Deployed changes whose deploy script differs from the one recorded at deploy time (empty: no drift).

        Each deployed change's registry ``script_hash`` is compared with the SHA-1 of the deploy script the plan
        names for that change now: for a change reworked later in the plan, its ``name@tag`` copy. Raises
        :class:`SqitchError` when the database has no registry.
        """
        try:
            if not self._check_registry():
                raise SqitchError(f"no registry found in {self.destination}; have you ever deployed?")
            return self._drift(self.deployed_changes())
        finally:
            self.close()

    def _drift(self, deployed: list[ChangeState]) -> list[Drift]:
        drifted: list[Drift] = []
        for state in deployed:
            recorded = state.script_hash
            # No hash to compare: a registry upgraded from before script hashes has NULL or the change id there.
            if not recorded or recorded == state.change_id:
                continue
            change = self.plan.get(state.change_id)
            if change is None:
                drifted.append(Drift(state.change, state.change_id, None, recorded, None,
                                     f"no longer in {self.plan.path.name} (its plan line was edited)"))
                continue
            path = change.script_path("deploy", self.config)
            current = change.script_hash(self.config)
            if current == recorded:
                continue
            try:
                shown = str(path.relative_to(self.config.root))
            except ValueError:
                shown = str(path)
            reason = "deploy script missing" if current is None else "deploy script changed since it was deployed"
            drifted.append(Drift(self.plan.tag_qualified_name(change) if change.is_reworked else change.name,
                                 state.change_id, shown, recorded, current, reason))
        return drifted

    def log(self, limit: int | None = None) -> list[Event]:
        """Registry events of this project, newest first."""
        try:
            if not self._check_registry():
                raise SqitchError(f"no registry found in {self.destination}; have you ever deployed?")
            rows = self._q(
                "SELECT event, project, change_id, change, note, requires, conflicts, tags,"
                " committed_at, committer_name, committer_email, planned_at, planner_name,"
                " planner_email FROM {r}.events WHERE project = %s ORDER BY committed_at DESC"
                + (" LIMIT %s" if limit else ""),
                [self.plan.project, *([limit] if limit else [])],
            )
            return [Event(*row) for row in rows]
        finally:
            self.close()

    # -- deploy -------------------------------------------------------------------------------

    def deploy(self, to: str | None = None) -> list[Change]:
        """Deploy pending changes (through ``to`` if given). Returns the changes deployed."""
        try:
            return self._deploy(to)
        except psycopg.Error as exc:
            raise SqitchError(f"deploy failed: {_pg_message(exc)}") from None
        finally:
            self._unlock()
            self.close()

    def _check_server_version(self) -> None:
        """Refuse a server older than MIN_SERVER_VERSION before anything is written (docs/operations.md)."""
        version = self.conn.info.server_version
        if version < MIN_SERVER_VERSION:
            raise SqitchError(
                f"PostgreSQL {MIN_SERVER_VERSION // 10000} or later is required; this server is "
                f"{version // 10000}.{version % 10000} ({self.destination})")

    def _deploy(self, to: str | None) -> list[Change]:
        plan = self.plan
        self._check_server_version()
        self._lock()
        if not plan.changes:
            raise SqitchError(f"nothing to deploy (empty plan {plan.path})")
        to_index = len(plan) - 1
        if to is not None:
            found = plan.index_of(to)
            if found is None:
                raise SqitchError(f'unknown change: "{to}"')
            to_index = found

        has_registry = self._check_registry()
        deployed = self.deployed_changes() if has_registry else []
        position = self._plan_index(deployed[-1]) if deployed else -1
        if position >= 0:
            current = plan.changes[position]
            if current.tags:
                self._log_new_tags(current)
        if to is not None and to_index == position:
            self.log_fn(f'Nothing to deploy (already at "{to}")')
            return []
        if position == to_index:
            self.log_fn("Nothing to deploy (up-to-date)")
            return []
        if to_index < position:
            raise SqitchError('cannot deploy to an earlier change; use "revert" instead')
        if position == -1:
            if not has_registry:
                self._initialize()
            self._register_project()

        todo = plan.changes[position + 1: to_index + 1]
        self.log_fn(
            f"Deploying changes through {plan.changes[to_index].format_name_with_tags} to {self.destination}"
            if to is not None else f"Deploying changes to {self.destination}"
        )
        resolved = self._check_deploy_dependencies(todo)
        width = max(len(c.format_name_with_tags) for c in todo)
        done: list[Change] = []
        try:
            for change in todo:
                self._deploy_change(change, resolved, width)
                done.append(change)
        finally:
            if done:
                self._notify_schema_reload()
        return done

    def _notify_schema_reload(self) -> None:
        """``NOTIFY pgrst, 'reload schema'``: PostgREST reloads its schema cache after a deploy or revert, also where
        the event trigger of schemas/api is missing. Best effort: the changes are committed already."""
        try:
            self._end_work(False)
            self.conn.execute("NOTIFY pgrst, 'reload schema'")
        except psycopg.Error:
            pass

    def _change_id_for(self, dep: Dependency) -> str | None:
        """Earliest deployed change matching a dependency (any project), via the registry."""
        project = dep.effective_project(self.plan) or self.plan.project
        if dep.id is not None:
            rows = self._q("SELECT change_id FROM {r}.changes WHERE change_id = %s", [dep.id])
        elif dep.change is not None and dep.tag is not None:
            if dep.tag == "ROOT":
                return None
            if dep.tag == "HEAD":
                rows = self._q(
                    "SELECT change_id FROM {r}.changes WHERE project = %s AND change = %s"
                    " ORDER BY committed_at DESC LIMIT 1", [project, dep.change])
            else:
                rows = self._q(
                    "SELECT c.change_id FROM {r}.changes c JOIN {r}.tags t"
                    " ON c.committed_at <= t.committed_at AND c.project = t.project"
                    " WHERE c.project = %s AND c.change = %s AND t.tag = %s"
                    " ORDER BY c.committed_at DESC LIMIT 1", [project, dep.change, "@" + dep.tag])
        elif dep.change is not None:
            rows = self._q(
                "SELECT change_id FROM {r}.changes WHERE project = %s AND change = %s"
                " ORDER BY committed_at LIMIT 1", [project, dep.change])
        elif dep.tag is not None:
            rows = self._q("SELECT change_id FROM {r}.tags WHERE project = %s AND tag = %s",
                           [project, "@" + dep.tag])
        else:
            return None
        return rows[0][0] if rows else None

    def _check_deploy_dependencies(self, todo: list[Change]) -> dict[tuple[str, str], str | None]:
        """Raise unless every requirement is met and no conflict is deployed.

        Returns the resolved change id of every requirement, keyed by (change id, dependency).
        """
        seen: dict[str, Change] = {}
        resolved: dict[tuple[str, str], str | None] = {}
        conflicts: list[str] = []
        missing: list[str] = []
        for change in todo:
            for dep in change.conflicts:
                planned = self._planned_id(dep)
                if (planned and planned in seen) or self._change_id_for(dep):
                    conflicts.append(dep.as_string(self.plan))
            for dep in change.requires:
                planned = self._planned_id(dep)
                rid = seen[planned].id if planned and planned in seen else self._change_id_for(dep)
                if not rid:
                    missing.append(dep.as_string(self.plan))
                resolved[(change.id, dep.as_string(self.plan))] = rid
            seen[change.id] = change
        msgs = []
        if conflicts:
            msgs.append("conflicts with previously deployed change(s): " + " ".join(dict.fromkeys(conflicts)))
        if missing:
            msgs.append("missing required change(s): " + " ".join(dict.fromkeys(missing)))
        if msgs:
            raise SqitchError("; ".join(msgs))
        ids = [c.id for c in todo]
        already = self._q("SELECT change_id FROM {r}.changes WHERE change_id = ANY(%s)", [ids])
        if already:
            names = ", ".join(f"{seen[r[0]].format_name_with_tags} ({r[0]})" for r in already)
            raise SqitchError(f"changes have already been deployed: {names}")
        return resolved

    def _planned_id(self, dep: Dependency) -> str | None:
        """Id of the plan change a dependency names (``None`` for other projects / unknown)."""
        if dep.is_external(self.plan):
            return None
        if dep.id is not None:
            return dep.id
        found = self.plan.find(dep.key_name)
        if found is None:  # Sqitch refuses in-project dependencies that are not planned
            raise SqitchError(f'unable to find change "{dep.key_name}" in plan {self.plan.path}')
        return found.id

    def _deploy_change(self, change: Change, resolved: dict[tuple[str, str], str | None], width: int) -> None:
        name = change.format_name_with_tags
        prefix = f"  + {name} ..{'.' * (width - len(name))} "
        try:
            path, text = self._read_script(change, "deploy")
        except SqitchError:
            self.log_fn(prefix + "not ok")
            raise
        script_hash = hashlib.sha1(path.read_bytes()).hexdigest()
        try:
            self._run_change_script("deploy", path, text)
            self._log_deploy_change(change, script_hash, resolved)
            self._end_work(True)
        except BaseException as exc:
            try:
                self._end_work(False)
            except psycopg.Error:
                pass
            if isinstance(exc, (SqitchError, psycopg.Error)):
                try:
                    self._log_event("fail", change)
                except psycopg.Error:
                    pass
            self.log_fn(prefix + "not ok")
            if isinstance(exc, psycopg.Error):
                raise SqitchError(f'deploying "{change.name}" failed: {_pg_message(exc)}') from None
            raise
        self.log_fn(prefix + "ok")

    def _log_deploy_change(self, change: Change, script_hash: str | None,
                           resolved: dict[tuple[str, str], str | None]) -> None:
        ident = self.identity
        self._q(
            "INSERT INTO {r}.changes (change_id, script_hash, change, project, note,"
            " committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, pg_catalog.clock_timestamp())",
            [change.id, script_hash, change.name, change.project, change.note, ident.name,
             ident.email, change.timestamp, change.planner_name, change.planner_email],
        )
        deps = change.dependencies
        if deps:
            values = sql.SQL(", ").join(sql.SQL("(%s, %s, %s, %s)") for _ in deps)
            params: list[Any] = []
            for dep in deps:
                text = dep.as_string(self.plan)
                params += [change.id, dep.type, text,
                           None if dep.conflicts else resolved.get((change.id, text))]
            self.conn.execute(
                sql.SQL("INSERT INTO {}.dependencies (change_id, type, dependency, dependency_id) VALUES ")
                .format(sql.Identifier(self.registry)) + values,
                params,
            )
        if change.tags:
            self._insert_tags(change, change.tags)
        self._log_event("deploy", change)

    def _insert_tags(self, change: Change, tags: list[Tag], *, only_new: bool = False) -> None:
        ident = self.identity
        for tag in tags:
            query = (
                "INSERT INTO {r}.tags (tag_id, tag, project, change_id, note, committer_name,"
                " committer_email, planned_at, planner_name, planner_email, committed_at)"
                " SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, pg_catalog.clock_timestamp()"
            )
            if only_new:
                query += " WHERE NOT EXISTS (SELECT 1 FROM {r}.tags WHERE tag_id = %s)"
            self._q(query, [tag.id, tag.format_name, change.project, change.id, tag.note,
                            ident.name, ident.email, tag.timestamp, tag.planner_name,
                            tag.planner_email, *([tag.id] if only_new else [])])

    def _log_new_tags(self, change: Change) -> None:
        """Record tags added to the plan after their change was deployed (as Sqitch does)."""
        self.conn.execute("BEGIN")
        try:
            self._insert_tags(change, change.tags, only_new=True)
        except BaseException:
            self._end_work(False)
            raise
        self._end_work(True)

    def _log_event(self, event: str, change: Change | ChangeState, tags: list[str] | None = None,
                   requires: list[str] | None = None, conflicts: list[str] | None = None) -> None:
        ident = self.identity
        if isinstance(change, Change):
            name, cid, project, note = change.name, change.id, change.project, change.note
            planned_at, pname, pemail = change.timestamp, change.planner_name, change.planner_email
            tags = [t.format_name for t in change.tags] if tags is None else tags
            requires = [d.as_string(self.plan) for d in change.requires] if requires is None else requires
            conflicts = [d.as_string(self.plan) for d in change.conflicts] if conflicts is None else conflicts
        else:
            name, cid, project, note = change.change, change.change_id, change.project, change.note
            planned_at, pname, pemail = change.planned_at, change.planner_name, change.planner_email
        self._q(
            "INSERT INTO {r}.events (event, change_id, change, project, note, tags, requires,"
            " conflicts, committer_name, committer_email, planned_at, planner_name, planner_email,"
            " committed_at) VALUES (%s, %s, %s, %s, %s, %s::text[], %s::text[], %s::text[], %s, %s,"
            " %s, %s, %s, pg_catalog.clock_timestamp())",
            [event, cid, name, project, note, tags or [], requires or [], conflicts or [],
             ident.name, ident.email, planned_at, pname, pemail],
        )

    # -- revert -------------------------------------------------------------------------------

    def _find_deployed(self, key: str, deployed: list[ChangeState]) -> ChangeState | None:
        """Resolve a change key (name, ``name@tag``, ``@tag``, id, offsets) against the registry."""
        base, offset = _split_offset(key)
        name, at, tag = base.partition("@")
        target: ChangeState | None = None
        if at and name:
            if tag == "HEAD":
                matches = [c for c in deployed if c.change == name]
                target = matches[-1] if matches else None
            elif tag != "ROOT":
                cid = self._change_id_for(Dependency(self.plan.project, change=name, tag=tag))
                target = next((c for c in deployed if c.change_id == cid), None)
        elif at or base in ("HEAD", "ROOT"):
            tag = tag or base
            if tag == "HEAD":
                target = deployed[-1] if deployed else None
            elif tag == "ROOT":
                target = deployed[0] if deployed else None
            else:
                target = next((c for c in deployed if "@" + tag in c.tags), None)
        elif _SHA1_RE.match(base):
            target = next((c for c in deployed if c.change_id == base), None)
        else:
            matches = [c for c in deployed if c.change == base]
            if len(matches) > 1:
                raise SqitchError(f'change "{key}" is ambiguous; specify a tag-qualified change')
            target = matches[0] if matches else None
        if target is None or not offset:
            return target
        idx = deployed.index(target) + offset
        return deployed[idx] if 0 <= idx < len(deployed) else None

    def revert(self, to: str | None = None, *, confirm: Callable[[str], bool] | None = None) -> list[ChangeState]:
        """Revert deployed changes, newest first; with ``to``, everything after it (``to`` stays).

        ``confirm`` (optional) is asked the question Sqitch would prompt with; a false answer
        raises ``SqitchError("Nothing reverted")``. Returns the reverted changes.
        """
        try:
            return self._revert(to, confirm)
        except psycopg.Error as exc:
            raise SqitchError(f"revert failed: {_pg_message(exc)}") from None
        finally:
            self._unlock()
            self.close()

    def _revert(self, to: str | None, confirm: Callable[[str], bool] | None) -> list[ChangeState]:
        if not self._check_registry():
            raise SqitchError(f"no registry found in {self.destination}; have you ever deployed?")
        self._lock()
        deployed = self.deployed_changes()
        if to is not None:
            target = self._find_deployed(to, deployed)
            if target is None:
                if self.plan.find(to) is not None:
                    raise SqitchError(f'change not deployed: "{to}"')
                raise SqitchError(f'unknown change: "{to}"')
            todo = deployed[deployed.index(target) + 1:]
            if not todo:
                self.log_fn(f'No changes deployed since: "{to}"')
                return []
            label = " ".join([target.change, *target.tags])
            question = f"Revert changes to {label} from {self.destination}?"
            announce = f"Reverting changes to {label} from {self.destination}"
        else:
            todo = deployed
            if not todo:
                self.log_fn("Nothing to revert (nothing deployed)")
                return []
            question = f"Revert all changes from {self.destination}?"
            announce = f"Reverting all changes from {self.destination}"
        if confirm is not None:
            if not confirm(question):
                raise SqitchError("Nothing reverted")
        else:
            self.log_fn(announce)
        todo = list(reversed(todo))
        self._check_revert_dependencies(todo)
        width = max(len(" ".join([c.change, *c.tags])) for c in todo)
        reverted = 0
        try:
            for state in todo:
                self._revert_change(state, width)
                reverted += 1
        finally:
            if reverted:
                self._notify_schema_reload()
        return todo

    def _check_revert_dependencies(self, todo: list[ChangeState]) -> None:
        leaving = {c.change_id for c in todo}
        msgs = []
        for state in todo:
            rows = self._q(
                "SELECT c.change_id, c.project, c.change FROM {r}.dependencies d"
                " JOIN {r}.changes c ON c.change_id = d.change_id WHERE d.dependency_id = %s",
                [state.change_id],
            )
            needing = [
                (proj + ":" if proj != self.plan.project else "") + name
                for cid, proj, name in rows if cid not in leaving
            ]
            if needing:
                msgs.append(f'change "{state.change}" is required by currently deployed change(s): '
                            + " ".join(needing))
        if msgs:
            raise SqitchError("; ".join(msgs))

    def _plan_change_for(self, state: ChangeState) -> Change:
        """The plan's change for a deployed row, or a stand-in built from the row."""
        idx = self.plan.index_of(state.change_id)
        if idx is not None:
            return self.plan.changes[idx]
        return Change(name=state.change, timestamp=state.planned_at, planner_name=state.planner_name,
                      planner_email=state.planner_email, note=state.note, project=state.project,
                      uri=self.plan.uri)

    def _revert_change(self, state: ChangeState, width: int) -> None:
        name = " ".join([state.change, *state.tags])
        prefix = f"  - {name} ..{'.' * (width - len(name))} "
        change = self._plan_change_for(state)
        try:
            path, text = self._read_script(change, "revert")
        except SqitchError:
            self.log_fn(prefix + "not ok")
            raise
        try:
            self._run_change_script("revert", path, text)
            tags = [r[0] for r in self._q("DELETE FROM {r}.tags WHERE change_id = %s RETURNING tag",
                                          [state.change_id])]
            req, conf = self._q(
                "SELECT ARRAY(SELECT dependency FROM {r}.dependencies WHERE change_id = %s AND type = 'require'),"
                " ARRAY(SELECT dependency FROM {r}.dependencies WHERE change_id = %s AND type = 'conflict')",
                [state.change_id, state.change_id],
            )[0]
            self._q("DELETE FROM {r}.changes WHERE change_id = %s", [state.change_id])
            self._log_event("revert", state, tags, list(req), list(conf))
            self._end_work(True)
        except BaseException as exc:
            try:
                self._end_work(False)
            except psycopg.Error:
                pass
            self.log_fn(prefix + "not ok")
            if isinstance(exc, psycopg.Error):
                raise SqitchError(f'reverting "{state.change}" failed: {_pg_message(exc)}') from None
            raise
        self.log_fn(prefix + "ok")

    # -- verify -------------------------------------------------------------------------------

    def verify(self) -> list[VerifyResult]:
        """Run the verify script of every deployed change (each in a rolled-back transaction).

        Logs one ``  * name .. ok`` line per change; raises :class:`SqitchError` if any failed.
        """
        try:
            return self._verify()
        finally:
            self.close()

    def _verify(self) -> list[VerifyResult]:
        if not self._check_registry():
            raise SqitchError(f"no registry found in {self.destination}; have you ever deployed?")
        deployed = self.deployed_changes()
        self.log_fn(f"Verifying {self.destination}")
        if not deployed:
            self.log_fn("No changes deployed")
            return []
        width = max(len(" ".join([c.change, *c.tags])) for c in deployed)
        results: list[VerifyResult] = []
        for i, state in enumerate(deployed):
            problems: list[str] = []
            idx = self.plan.index_of(state.change_id)
            change = self._plan_change_for(state)
            if idx is None:
                problems.append("not present in the plan")
            elif idx != i:
                problems.append("out of order")
            if not change.is_reworked:
                try:
                    path, text = self._read_script(change, "verify")
                    self.conn.execute("BEGIN")
                    try:
                        self._run_script(text)
                    finally:
                        self._end_work(False)
                except SqitchError as exc:
                    problems.append(str(exc))
                except psycopg.Error as exc:
                    problems.append(f"verify script {path} failed: {_pg_message(exc)}")
            name = " ".join([state.change, *state.tags])
            line = f"  * {name} ..{'.' * (width - len(name))} {'not ok' if problems else 'ok'}"
            self.log_fn(line + (f"  # {'; '.join(problems)}" if problems else ""))
            results.append(VerifyResult(state.change, state.change_id, not problems, "; ".join(problems)))
        last_idx = self.plan.index_of(deployed[-1].change_id)
        if last_idx is not None and last_idx < len(self.plan) - 1:
            pending = [c.format_name_with_tags for c in self.plan.changes[last_idx + 1:]]
            self.log_fn("Undeployed change(s): " + ", ".join(pending))
        failed = [r for r in results if not r.ok]
        if failed:
            raise SqitchError(
                f"verify failed for {len(failed)} of {len(results)} change(s): "
                + "; ".join(f"{r.change}: {r.message}" for r in failed)
            )
        self.log_fn("Verify successful")
        return results
