"""``mercato demo``: a short guided tour on the target database, printed as readable tables.

Every step calls the same SQL functions an app would call through PostgREST, as the caller the
step names (JWT claims set exactly like PostgREST sets them). Each run uses fresh names, so the demo
can be repeated on the same database.
"""

from __future__ import annotations

import datetime as dt
import secrets

import click

from mercato.cli.common import table
from mercato.client import Client
from mercato.errors import MercatoError


def _step(title: str) -> None:
    click.echo("")
    click.secho(f"== {title}", bold=True)


@click.command(name="demo")
def command() -> None:
    """Tell the Mercato story on the embedded (or DATABASE_URL) database."""
    run = secrets.token_hex(3)
    with Client() as service:
        _step("Who is calling? identity.current_actor() reads request.jwt.claims")
        tenant = service.create_tenant(f"movello-{run}", "Movello (demo)")
        admin = service.register_user(f"kc|admin-{run}", "ADMIN", "Abebe Admin", tenant_id=tenant,
                                      email="abebe@movello.example")
        service.assign_role(admin, "PLATFORM_ADMIN")
        business = service.register_user(f"kc|biz-{run}", "BUSINESS", "Selam Logistics PLC", tenant_id=tenant,
                                         phone="+251911000001")
        as_admin = service.as_caller({"sub": f"kc|admin-{run}", "role": "mercato_user"}, role="mercato_user")
        as_business = service.as_caller({"sub": f"kc|biz-{run}", "role": "mercato_user"}, role="mercato_user")
        click.echo(table([{"caller": caller, "sub": a.subject, "user_id": a.user_id, "user_type": a.user_type,
                           "tenant_id": a.tenant_id}
                          for caller, a in (("admin JWT", as_admin.current_actor()),
                                            ("business JWT", as_business.current_actor()))]))

        _step("Typed settings, validated on write")
        click.echo(table([{"setting": "OTP_EXPIRY_MINUTES", "value": service.setting("OTP_EXPIRY_MINUTES")}]))
        for caller, who, value in ((as_business, "business user", "6"), (as_admin, "platform admin", "11"),
                                   (as_admin, "platform admin", "6")):
            try:
                caller.set_setting("OTP_EXPIRY_MINUTES", value)
                click.echo(f"{who} sets OTP_EXPIRY_MINUTES={value}: ok")
            except MercatoError as exc:
                click.echo(f"{who} sets OTP_EXPIRY_MINUTES={value}: refused, HTTP {exc.http_status}: {exc.one_line()}")
        service.set_setting("OTP_EXPIRY_MINUTES", "5")

        _step("A versioned policy: a new version never edits the one in force")
        code = f"DEMO_COMMISSION_{run.upper()}"
        now = dt.datetime.now(dt.timezone.utc)
        as_admin.add_policy_version(code, now + dt.timedelta(seconds=1), {"BRONZE": "0.10", "GOLD": "0.06"}, "launch")
        as_admin.add_policy_version(code, now + dt.timedelta(days=30), {"BRONZE": "0.09", "GOLD": "0.05"}, "promo")
        rows = [service.policy_in_force(code, at) for at in (now + dt.timedelta(seconds=2), now + dt.timedelta(days=31))]
        click.echo(table([{"policy": r.policy_code, "version": r.version, "effective_from": r.effective_from,
                           "effective_to": r.effective_to, "body": r.body} for r in rows]))

        _step("Every change above is in the append-only audit log")
        click.echo(table(_recent_audit(service)))
    click.echo("")
    click.echo("demo finished")


def _recent_audit(client: Client) -> list[dict]:
    with client.transaction() as conn:
        cur = conn.execute(
            "SELECT occurred_at, actor_subject, entity_type, entity_id, action FROM audit.event "
            "ORDER BY id DESC LIMIT 8")
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
