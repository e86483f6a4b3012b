"""KE-QR payloads (issue 19, docs/payments.md) as PostgREST serves them, through the library and the CLI: the back
office builds a code, a signed-in user parses it back, an altered code is a 400 naming tag 63, an anonymous caller is
refused. Superuser connections only arrange the world (a user)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST
from jwt_helper import rest_as_authenticator, sign

CODE = {"p_dynamic": True, "p_template": "29", "p_provider_id": "KCB", "p_merchant_account": "1234567890",
        "p_mcc": "5411", "p_name": "Gem Mint Cards", "p_city": "Nairobi", "p_amount": "1500.50", "p_reference": "PI-42"}


@pytest.fixture
def world(db_url: str) -> Iterator[tuple[PostgREST, str]]:
    sub = f"kc|qr-{uuid.uuid4().hex[:6]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT identity.register_user(%s, 'CUSTOMER', 'QR payer')", (sub,))
    rest = rest_as_authenticator(db_url)
    yield rest, sub
    rest.close()


def test_build_and_parse_over_http(world: tuple[PostgREST, str]) -> None:
    rest, sub = world
    service, user = sign({"role": "mercato_service"}), sign({"sub": sub, "role": "mercato_user"})
    built = rest.rpc("build_ke_qr", CODE, token=service)
    assert built.ok, built.body
    payload: Any = built.body
    assert payload.endswith("6304B45C")
    parsed = rest.rpc("parse_ke_qr", {"p_payload": payload}, token=user)
    assert parsed.ok and parsed.body["amount"] == "1500.50" and parsed.body["reference"] == "PI-42", parsed.body
    altered = rest.rpc("parse_ke_qr", {"p_payload": payload.replace("1500.50", "1900.50")}, token=user)
    assert (altered.status, altered.code) == (400, "PAYMENTS_INVALID_QR") and altered.body["details"].startswith("tag 63:")
    assert rest.rpc("build_ke_qr", CODE, token=user).status in (401, 403), "building is the back office's"
    assert rest.rpc("parse_ke_qr", {"p_payload": payload}).status in (401, 403), "not anonymously"


def test_the_library_and_the_cli(db_url: str, world: tuple[PostgREST, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    _, sub = world
    with Client(db_url) as service:
        payload = service.payments.build_ke_qr(dynamic=False, template="28", provider_id="MPESA",
                                               merchant_account="174379", mcc="5999", name="Kiosk", city="Mombasa")
    with Client(db_url, claims={"sub": sub, "role": "mercato_user"}, role="mercato_user") as payer:
        assert payer.payments.parse_ke_qr(payload)["initiation"] == "STATIC"
        with pytest.raises(MercatoError) as info:
            payer.payments.parse_ke_qr(payload[:-4] + "0000")
        assert (info.value.code, info.value.http_status) == ("PAYMENTS_INVALID_QR", 400)
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    r = runner.invoke(cli, ["pay", "qr-parse", payload, "--as", sub])
    assert r.exit_code == 0 and '"merchant_account": "174379"' in r.output, r.output
    r = runner.invoke(cli, ["pay", "qr-build", "--dynamic", "--provider", "KCB", "--account", "1", "--mcc", "5411",
                            "--name", "Shop", "--city", "Nairobi"])
    assert isinstance(r.exception, MercatoError) and r.exception.detail == "tag 54: a dynamic code carries its amount"
