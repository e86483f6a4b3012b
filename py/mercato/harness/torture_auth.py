"""Sign-in and outbox operations for the torture run (issue 17), and the invariants checked after it.

Each client is one user of a tenant open to sign-up (bcrypt cost 4 in the torture database), signed up at set-up through
``api.sign_up``. Its operations, each one call as PostgREST makes it (claims, role and the role's own settings set for
the transaction only, then the ``api`` function):

- ``sign_in``: a new session (at most four live per client), its JWT verified with the secret as PostgREST verifies it;
- ``refresh``: rotate a live session's refresh token;
- ``refresh_reused``: present an already-rotated token of a live session: refused, and the whole family must die — the
  session's newest refresh token and its access token are refused right after;
- ``sign_out``, ``revoke_all``: as the user, with the session's access token;
- ``me``: ``api.me()`` with a live session's access token (``identity.current_actor()`` checks ``sid`` and ``iat``);
- ``outbox_enqueue`` (``outbox.enqueue`` as the owner, as a module's function would, a dedupe key per call),
  ``outbox_claim`` (as ``mercato_sender``, a short lease), ``outbox_report`` (sent, failed, or the message abandoned so
  that its lease expires), on the WEBHOOK channel (the marketplace's codes go by SMS).

Sign-in, refresh, sign-out and revoke-all are not idempotent, by design: a refresh whose answer was lost (a crash) and
that is sent again presents a used token, and the database revokes the family — what a real client would live through.
The clients model that: a replayed refresh that is refused means the session is REUSE_DETECTED, a replayed sign-out or
revoke-all refused with ``IDENTITY_TOKEN_REVOKED`` means the lost attempt did it, and a replayed sign-in leaves a
session the client never learnt of. None of them is replayed on purpose (their reference is empty).

``verify_auth`` then checks, on the final state (so across every crash-restart of the run):

- every ACTIVE session has at most one unused REFRESH token, and every token of a session was used up no later than the
  next one was issued (so each acknowledged refresh returned the only live token of its session at that time);
- every acknowledged sign-in has its session row, of its user, whose first token is the one it returned;
- every session the clients expect ended (signed out, revoked, reuse detected) has that status, and every refresh
  token the clients hold for it — used or not — and its last access token are refused (calls made afterwards);
- every session the clients expect ACTIVE is, its live token is the one the client holds, and ``api.me()`` accepts its
  access token;
- outbox: no SENT message is due, under a lease (its token stays: a repeated report names it) or keeps its secret,
  none is claimed again (a claim of everything due, rolled back), no message was reported SENT under two leases,
  every acknowledged report_sent left it SENT, and every acknowledged enqueue is there under its dedupe key.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import psycopg

from mercato.harness.bench_auth import verified_claims
from mercato.harness.torture import Refused

TENANT = "tt-auth"
PASSWORD = "Torture-Quartz-Lantern-17"
CHANNEL = "WEBHOOK"
LEASE_SECONDS = 5
MAX_LIVE_SESSIONS = 4


@dataclass
class Session:
    sid: int
    refresh: str
    access: str
    used: list[str] = field(default_factory=list)     # refresh tokens rotated away
    status: str = "ACTIVE"                            # what the client expects; UNKNOWN after an unexpected answer


@dataclass
class ClientAuth:
    sessions: list[Session] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)    # claimed outbox messages: (id, lease token)

    def live(self) -> list[Session]:
        return [s for s in self.sessions if s.status == "ACTIVE"]


@dataclass
class AuthWorld:
    secret: str
    users: list[dict[str, Any]]                      # per client: {"login", "id"}
    anon_settings: tuple[tuple[str, str], ...]
    user_settings: tuple[tuple[str, str], ...]
    clients: dict[int, ClientAuth] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)   # seen by the clients while they ran
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- calls as PostgREST makes them ------------------------------------------------------------------

def _call(conn: psycopg.Connection, role: str, claims: dict, settings: tuple[tuple[str, str], ...], query: str,
          params: tuple = ()) -> list[tuple]:
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', %s, true)"
                     + "".join(", set_config(%s, %s, true)" for _ in settings),
                     (json.dumps(claims), role, *(v for item in settings for v in item)))
        return conn.execute(query, params).fetchall()


def _anon(w: AuthWorld, conn: psycopg.Connection, query: str, params: tuple = ()) -> list[tuple]:
    return _call(conn, "mercato_anon", {"role": "mercato_anon"}, w.anon_settings, query, params)


def _user(w: AuthWorld, conn: psycopg.Connection, access: str, query: str, params: tuple = ()) -> list[tuple]:
    claims = verified_claims(access, w.secret)   # what PostgREST checks before it sets the claims
    return _call(conn, claims["role"], claims, w.user_settings, query, params)


def refusal_code(exc: psycopg.Error) -> str | None:
    """The stable code a refusal carries (SQLSTATE PTxxx, message "CODE: detail"); None for any other error."""
    if exc.sqlstate and exc.sqlstate.startswith("PT"):
        return (exc.diag.message_primary or "").split(":", 1)[0]
    return None


def _refused(call: Callable[[], Any]) -> str | None:
    """The code a raised refusal carries, None when the call went through. Other errors propagate (a lost connection
    is retried by the harness)."""
    try:
        call()
    except psycopg.Error as exc:
        code = refusal_code(exc)
        if code is None:
            raise
        return code
    return None


def _expired(access: str, secret: str) -> bool:
    """PostgREST refuses a JWT past its exp; a long run's old access tokens are not used (the client would refresh)."""
    return verified_claims(access, secret)["exp"] < time.time() + 5


# -- set-up ----------------------------------------------------------------------------------------

def setup_auth(url: str, clients: int) -> AuthWorld:
    """A tenant open to sign-up, bcrypt cost 4, a fresh JWT secret, one user per client (through api.sign_up)."""
    from mercato.client import role_settings

    secret = secrets.token_urlsafe(48)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST'")
        conn.execute("SELECT identity.set_jwt_secret(%s)", (secret,))
        conn.execute("INSERT INTO identity.tenant (code, name, metadata) VALUES (%s, 'Torture', '{\"self_sign_up\": true}')",
                     (TENANT,))
        world = AuthWorld(secret, [], role_settings(conn, "mercato_anon"), role_settings(conn, "mercato_user"))
        for i in range(clients):
            login = f"tt-user-{i}"
            uid = _anon(world, conn, "SELECT api.sign_up(%s, %s, %s, %s)", (TENANT, login, PASSWORD, f"torture user {i}"))[0][0]
            world.users.append({"login": login, "id": uid})
    return world


def _state(world: Any, st: Any) -> tuple[AuthWorld, ClientAuth]:
    w: AuthWorld = world.auth
    with w.lock:
        mine = w.clients.setdefault(st.client, ClientAuth())
    return w, mine


# -- operations ------------------------------------------------------------------------------------
# Each returns (kind, reference, call) like the ledger's; an empty reference: never replayed on purpose.

def op_sign_in(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    if len(me.live()) >= MAX_LIVE_SESSIONS:
        return None
    user = w.users[st.client]

    def call(conn: psycopg.Connection) -> tuple:
        sid, refresh, access, error = _anon(w, conn, "SELECT session_id, refresh_token, access_token, error"
                                                     " FROM api.sign_in(%s, %s, %s)", (user["login"], PASSWORD, TENANT))[0]
        if error:
            w.problem(f"client {st.client}: a sign-in with the right password was refused: {error}")
            raise Refused(error)
        if verified_claims(access, w.secret).get("sid") != sid:
            w.problem(f"client {st.client}: the JWT of session {sid} names another sid")
        return sid, _sha(refresh), refresh, access

    def after(result: tuple, _conn: psycopg.Connection) -> None:
        me.sessions.append(Session(result[0], result[2], result[3]))
    st.after = after
    return "sign_in", "", call


def op_refresh(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    live = me.live()
    if not live:
        return None
    s = st.rng.choice(live)
    token, attempts = s.refresh, [0]

    def call(conn: psycopg.Connection) -> tuple:
        attempts[0] += 1
        sid, refresh, access, error = _anon(w, conn, "SELECT session_id, refresh_token, access_token, error"
                                                     " FROM api.refresh(%s)", (token,))[0]
        if error:
            if attempts[0] > 1:    # the lost attempt rotated it: this replay presented a used token
                return ("replayed", s.sid)
            w.problem(f"client {st.client}: the live refresh token of session {s.sid} was refused: {error}")
            s.status = "UNKNOWN"
            raise Refused(error)
        if sid != s.sid:
            w.problem(f"client {st.client}: refreshing session {s.sid} answered session {sid}")
        return sid, _sha(refresh), refresh, access

    def after(result: tuple, _conn: psycopg.Connection) -> None:
        s.used.append(token)
        if result[0] == "replayed":
            s.status = "REUSE_DETECTED"
        else:
            s.refresh, s.access = result[2], result[3]
    st.after = after
    return "refresh", "", call


def op_refresh_reused(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    candidates = [s for s in me.live() if s.used and not _expired(s.access, w.secret)]
    if not candidates:
        return None
    s = st.rng.choice(candidates)
    stolen = st.rng.choice(s.used)

    def call(conn: psycopg.Connection) -> int:
        error = _anon(w, conn, "SELECT error FROM api.refresh(%s)", (stolen,))[0][0]
        if error is None:
            w.problem(f"client {st.client}: an already-used refresh token of session {s.sid} was accepted")
        elif error != "IDENTITY_REFRESH_INVALID":
            w.problem(f"client {st.client}: a reused refresh token of session {s.sid} was refused with {error}")
        # the family is dead: the legitimate holder's newest refresh token and its access token with it
        if _anon(w, conn, "SELECT error FROM api.refresh(%s)", (s.refresh,))[0][0] is None:
            w.problem(f"client {st.client}: session {s.sid}'s newest refresh token still worked after a reuse")
        code = _refused(lambda: _user(w, conn, s.access, "SELECT user_id FROM api.me()"))
        if code != "IDENTITY_TOKEN_REVOKED":
            w.problem(f"client {st.client}: session {s.sid}'s access token after a reuse: {code or 'accepted'}")
        return s.sid

    def after(_sid: int, _conn: psycopg.Connection) -> None:
        s.status = "REUSE_DETECTED"
    st.after = after
    return "refresh_reused", "", call


def _ending(world: Any, st: Any, kind: str, query: str, status: str) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    candidates = [s for s in me.live() if not _expired(s.access, w.secret)]
    if not candidates:
        return None
    s = st.rng.choice(candidates)
    attempts = [0]

    def call(conn: psycopg.Connection) -> list[int]:
        attempts[0] += 1
        ended = [x.sid for x in (me.live() if kind == "revoke_all" else [s])]
        try:
            _user(w, conn, s.access, query)
        except psycopg.Error as exc:
            code = (exc.diag.message_primary or "").split(":", 1)[0]
            if exc.sqlstate and exc.sqlstate.startswith("PT") and attempts[0] > 1 and code in (
                    "IDENTITY_TOKEN_REVOKED", "IDENTITY_UNKNOWN_SESSION"):
                return ended   # the lost attempt ended the session; this replay's token is refused, rightly
            if exc.sqlstate and exc.sqlstate.startswith("PT"):
                w.problem(f"client {st.client}: {kind} with the live session {s.sid} was refused: {code}")
                s.status = "UNKNOWN"
            raise
        return ended

    def after(ended: list[int], _conn: psycopg.Connection) -> None:
        for x in me.sessions:
            if x.sid in ended and x.status == "ACTIVE":
                x.status = status
    st.after = after
    return kind, "", call


def op_sign_out(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    return _ending(world, st, "sign_out", "SELECT api.sign_out()", "SIGNED_OUT")


def op_revoke_all(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    return _ending(world, st, "revoke_all", "SELECT api.revoke_all_sessions()", "REVOKED")


def op_me(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    candidates = [s for s in me.live() if not _expired(s.access, w.secret)]
    if not candidates:
        return None
    s = st.rng.choice(candidates)
    uid = w.users[st.client]["id"]

    def call(conn: psycopg.Connection) -> int:
        try:
            got = _user(w, conn, s.access, "SELECT user_id FROM api.me()")[0][0]
        except psycopg.Error as exc:
            if exc.sqlstate and exc.sqlstate.startswith("PT"):
                w.problem(f"client {st.client}: the access token of live session {s.sid} was refused: "
                          f"{exc.diag.message_primary}")
                s.status = "UNKNOWN"
            raise
        if got != uid:
            w.problem(f"client {st.client}: api.me() answered user {got}, not {uid}")
        return got
    return "me", "", call


def op_outbox_enqueue(world: Any, st: Any) -> tuple[str, str, Callable]:
    ref = st.ref("ob")

    def call(conn: psycopg.Connection) -> int:
        with conn.transaction():
            conn.execute("SELECT set_config('role', 'none', true)")   # the owner, as a module's function enqueues
            return conn.execute("SELECT outbox.enqueue(%s, %s, 'torture.event', %s, %s, %s)",
                                (CHANNEL, f"https://hooks.example/tt/{st.client}", json.dumps({"ref": ref}),
                                 json.dumps({"signature": f"sig-{ref}"}), f"torture:{ref}")
                                ).fetchone()[0]
    return "outbox_enqueue", ref, call


def op_outbox_claim(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    if len(me.held) >= 6:
        return None

    def call(conn: psycopg.Connection) -> list[tuple[int, str]]:
        with conn.transaction():
            conn.execute("SELECT set_config('role', 'mercato_sender', true)")
            rows = conn.execute("SELECT id, lease_token FROM api.outbox_claim(%s, 3, %s, %s)",
                                (CHANNEL, LEASE_SECONDS, f"tt-{st.client}")).fetchall()
        return [(i, str(lease)) for i, lease in rows]

    def after(claimed: list, _conn: psycopg.Connection) -> None:
        me.held.extend(claimed)
    st.after = after
    return "outbox_claim", "", call


def op_outbox_report(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    if not me.held:
        return None
    mid, lease = me.held.pop(st.rng.randrange(len(me.held)))
    roll = st.rng.random()
    if roll < 0.05:
        return None   # abandoned: the lease expires and another claim takes the message back
    failed = roll < 0.2
    attempts = [0]

    def call(conn: psycopg.Connection) -> tuple:
        attempts[0] += 1
        with conn.transaction():
            conn.execute("SELECT set_config('role', 'mercato_sender', true)")
            if failed:
                state = conn.execute("SELECT api.outbox_report_failed(%s, %s, 'torture: provider said no')",
                                     (mid, lease)).fetchone()[0]
                return mid, lease, "failed", state, attempts[0]
            ok = conn.execute("SELECT api.outbox_report_sent(%s, %s)", (mid, lease)).fetchone()[0]
        if not ok and attempts[0] == 1:
            w.problem(f"client {st.client}: the first report of message {mid} under its lease answered false")
        return mid, lease, "sent", ok, attempts[0]
    return "outbox_report", "", call


#: name -> (weight, operation), merged into the torture mix when the sign-in part runs
OPERATIONS = {
    "sign_in": (3, op_sign_in),
    "refresh": (6, op_refresh),
    "refresh_reused": (1, op_refresh_reused),
    "sign_out": (1, op_sign_out),
    "revoke_all": (1, op_revoke_all),
    "me": (3, op_me),
    "outbox_enqueue": (4, op_outbox_enqueue),
    "outbox_claim": (3, op_outbox_claim),
    "outbox_report": (5, op_outbox_report),
}


# -- afterwards ------------------------------------------------------------------------------------

#: invariant -> a query over the torture users' sessions and tokens returning the violating rows (none when it holds)
INVARIANTS = {
    "an ACTIVE session with more than one unused refresh token": """
        SELECT s.id, count(*) FROM identity.session s JOIN identity.token t ON t.session_id = s.id AND t.purpose = 'REFRESH'
         WHERE s.user_id = ANY(%(users)s) AND s.status = 'ACTIVE' AND t.used_at IS NULL GROUP BY s.id HAVING count(*) > 1""",
    "a refresh token issued while an earlier one of its session was still unused": """
        SELECT session_id, id, used_at, next_created FROM (
            SELECT t.session_id, t.id, t.used_at,
                   lead(t.created_at) OVER (PARTITION BY t.session_id ORDER BY t.id) AS next_created
              FROM identity.token t WHERE t.purpose = 'REFRESH' AND t.user_id = ANY(%(users)s)) x
         WHERE next_created IS NOT NULL AND (used_at IS NULL OR used_at > next_created)""",
    "a session without a refresh token": """
        SELECT s.id FROM identity.session s WHERE s.user_id = ANY(%(users)s)
           AND NOT EXISTS (SELECT 1 FROM identity.token t WHERE t.session_id = s.id AND t.purpose = 'REFRESH')""",
    "a SENT message that is due, under a lease or keeps its secret": """
        SELECT m.id FROM outbox.message m WHERE m.state = 'SENT'
           AND (m.due_at IS NOT NULL OR m.lease_until IS NOT NULL OR m.sent_at IS NULL
                OR EXISTS (SELECT 1 FROM outbox.message_secret s WHERE s.message_id = m.id))""",
}


def verify_auth(url: str, world: AuthWorld, acks: list[Any]) -> list[str]:
    """The sign-in and outbox invariants (module docstring) on the final state, and what the clients saw."""
    problems = list(world.problems)
    users = [u["id"] for u in world.users]
    by_kind: dict[str, list[Any]] = {}
    for ack in acks:
        by_kind.setdefault(ack.kind, []).append(ack)
    with psycopg.connect(url, autocommit=True) as conn:
        for label, query in INVARIANTS.items():
            rows = conn.execute(query, {"users": users}).fetchall()
            if rows:
                problems.append(f"{label}: {len(rows)} violations, e.g. {rows[:3]}")
        tokens = {bytes(h).hex(): (sid, uid, tid) for h, sid, uid, tid in conn.execute(
            "SELECT token_hash, session_id, user_id, id FROM identity.token WHERE purpose = 'REFRESH' AND user_id = ANY(%s)",
            (users,)).fetchall()}
        sessions = {sid: (uid, status) for sid, uid, status in conn.execute(
            "SELECT id, user_id, status FROM identity.session WHERE user_id = ANY(%s)", (users,)).fetchall()}
        first = dict(conn.execute("SELECT session_id, min(id) FROM identity.token WHERE purpose = 'REFRESH'"
                                  " AND user_id = ANY(%s) GROUP BY session_id", (users,)).fetchall())
        for ack in by_kind.get("sign_in", []):
            sid, digest = ack.result[0], ack.result[1]
            found = tokens.get(digest)
            if sid not in sessions or found is None or found[0] != sid or first.get(sid) != found[2]:
                problems.append(f"acknowledged sign-in of session {sid}: session {sessions.get(sid)}, its token {found}")
        for ack in by_kind.get("refresh", []):
            if ack.result[0] == "replayed":
                continue
            sid, digest = ack.result[0], ack.result[1]
            found = tokens.get(digest)
            if found is None or found[0] != sid:
                problems.append(f"acknowledged refresh of session {sid}: its token is {found}")
        for ack in by_kind.get("refresh_reused", []):
            if sessions.get(ack.result, (None, None))[1] != "REUSE_DETECTED":
                problems.append(f"acknowledged reuse in session {ack.result}: the session is {sessions.get(ack.result)}")
        problems += _check_sessions(conn, world, sessions, tokens)
        problems += _check_outbox(conn, by_kind)
    return problems


def _check_sessions(conn: psycopg.Connection, w: AuthWorld, sessions: dict, tokens: dict) -> list[str]:
    """Every session the clients know: the status they expect; an ended one's tokens all refused, a live one's accepted."""
    problems: list[str] = []
    statuses: Counter = Counter()
    for client, mine in sorted(w.clients.items()):
        uid = w.users[client]["id"]
        for s in mine.sessions:
            if s.status == "UNKNOWN":
                continue
            statuses[s.status] += 1
            actual = sessions.get(s.sid)
            if actual != (uid, s.status):
                problems.append(f"client {client}'s session {s.sid}: expected {s.status} of user {uid}, found {actual}")
                continue
            if s.status == "ACTIVE":
                unused = conn.execute("SELECT token_hash FROM identity.token WHERE session_id = %s AND purpose = 'REFRESH'"
                                      " AND used_at IS NULL", (s.sid,)).fetchall()
                if [bytes(h).hex() for (h,) in unused] != [_sha(s.refresh)]:
                    problems.append(f"client {client}'s live session {s.sid}: its unused token is not the one it holds")
                if not _expired(s.access, w.secret) and _refused(lambda: _user(w, conn, s.access, "SELECT api.me()")):
                    problems.append(f"client {client}'s live session {s.sid}: its access token is refused")
                continue
            for token in [s.refresh, *s.used]:
                error = _anon(w, conn, "SELECT error FROM api.refresh(%s)", (token,))[0][0]
                if error is None:
                    problems.append(f"client {client}'s {s.status} session {s.sid}: a refresh token still works")
                    break
            code = _refused(lambda: _user(w, conn, s.access, "SELECT api.me()"))
            if code != "IDENTITY_TOKEN_REVOKED":
                problems.append(f"client {client}'s {s.status} session {s.sid}: its access token gave {code or 'a user'}")
    return problems


def _check_outbox(conn: psycopg.Connection, by_kind: dict[str, list[Any]]) -> list[str]:
    problems: list[str] = []
    sent_reports: dict[int, set[str]] = {}
    for ack in by_kind.get("outbox_report", []):
        mid, lease, what, value, _attempts = ack.result
        if what == "sent":
            sent_reports.setdefault(mid, set()).add(lease)
    twice = {m: leases for m, leases in sent_reports.items() if len(leases) > 1}
    if twice:
        problems.append(f"messages reported SENT under two leases: {list(twice.items())[:3]}")
    states = dict(conn.execute("SELECT id, state FROM outbox.message WHERE channel = %s", (CHANNEL,)).fetchall())
    not_sent = [m for m in sent_reports if states.get(m) != "SENT"]
    if not_sent:
        problems.append(f"acknowledged report_sent of messages not SENT: {not_sent[:5]}")
    keys = dict(conn.execute("SELECT dedupe_key, id FROM outbox.message WHERE dedupe_key LIKE 'torture:%'").fetchall())
    for ack in by_kind.get("outbox_enqueue", []):
        if keys.get(f"torture:{ack.reference}") != ack.result:
            problems.append(f"acknowledged enqueue {ack.reference} -> {ack.result}: found {keys.get(f'torture:{ack.reference}')}")
    sent = {m for m, s in conn.execute("SELECT id, state FROM outbox.message").fetchall() if s == "SENT"}
    with conn.transaction(force_rollback=True):   # claim everything due as a sender would, then forget it
        conn.execute("SET LOCAL ROLE mercato_sender")
        again = {i for (i,) in conn.execute(
            "SELECT id FROM api.outbox_claim(%s, 10000, 60, 'torture-verify')"
            " UNION ALL SELECT id FROM api.outbox_claim('SMS', 10000, 60, 'torture-verify')", (CHANNEL,)).fetchall()}
    if again & sent:
        problems.append(f"SENT messages claimed again: {sorted(again & sent)[:5]}")
    return problems


__all__ = ["OPERATIONS", "AuthWorld", "setup_auth", "verify_auth"]
