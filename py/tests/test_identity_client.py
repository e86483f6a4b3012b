"""The one identity path, exercised exactly as PostgREST does it: connect as the NOINHERIT
authenticator, switch role and set request.jwt.claims locally, call with named arguments.
These tests never run SQL as a superuser on the calling side."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError


@pytest.fixture
def service(db_url: str) -> Client:
    with Client(db_url) as client:
        yield client


@pytest.fixture
def authenticator_url(db_url: str) -> str:
    return make_conninfo(db_url, user="mercato_authenticator")


def test_claims_identify_the_caller(service: Client, authenticator_url: str) -> None:
    uid = service.identity.register_user("kc|alice", "BUSINESS", "Alice")
    with Client(authenticator_url) as app:
        alice = app.as_caller({"sub": "kc|alice", "role": "mercato_user"}, role="mercato_user")
        actor = alice.identity.current_actor()
        assert (actor.user_id, actor.user_type, actor.subject) == (uid, "BUSINESS", "kc|alice")
        anonymous = app.as_caller({"role": "mercato_anon"}, role="mercato_anon")
        assert anonymous.identity.current_actor().user_id is None


def test_refusals_carry_stable_codes_and_http_status(service: Client, authenticator_url: str) -> None:
    service.identity.register_user("kc|bob", "PROVIDER", "Bob")
    with Client(authenticator_url) as app:
        bob = app.as_caller({"sub": "kc|bob", "role": "mercato_user"}, role="mercato_user")
        with pytest.raises(MercatoError) as info:
            bob.identity.register_user("kc|eve", "ADMIN", "Eve")
        assert info.value.code == "IDENTITY_PERMISSION_DENIED" and info.value.http_status == 403
        stranger = app.as_caller({"sub": "kc|nobody", "role": "mercato_user"}, role="mercato_user")
        with pytest.raises(MercatoError) as info:
            stranger.masterdata.set_setting("OTP_EXPIRY_MINUTES", "6")
        assert info.value.code == "IDENTITY_NOT_AUTHENTICATED" and info.value.http_status == 401
    assert service.masterdata.setting("OTP_EXPIRY_MINUTES") == 5, "refused calls change nothing"


def test_authenticator_without_a_role_can_do_nothing(authenticator_url: str) -> None:
    # NOINHERIT: until it switches role, the authenticator holds none of the granted privileges
    with psycopg.connect(authenticator_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT api.register_user(p_auth_subject := 'x', p_user_type := 'ADMIN', "
                         "p_display_name := 'x')")


def test_admin_permissions_follow_role_assignments(service: Client, authenticator_url: str) -> None:
    admin = service.identity.register_user("kc|root", "ADMIN", "Root")
    with Client(authenticator_url) as app:
        as_admin = app.as_caller({"sub": "kc|root", "role": "mercato_user"}, role="mercato_user")
        with pytest.raises(MercatoError):
            as_admin.masterdata.set_setting("OTP_EXPIRY_MINUTES", "6")
        service.identity.assign_role(admin, "PLATFORM_ADMIN")
        as_admin.masterdata.set_setting("OTP_EXPIRY_MINUTES", "6")
        assert service.masterdata.setting("OTP_EXPIRY_MINUTES") == 6
        service.identity.revoke_role(admin, "PLATFORM_ADMIN")
        with pytest.raises(MercatoError) as info:
            as_admin.masterdata.set_setting("OTP_EXPIRY_MINUTES", "7")
        assert info.value.code == "IDENTITY_PERMISSION_DENIED"


def test_organization_members_through_the_client(service: Client, authenticator_url: str) -> None:
    service.identity.register_user("kc|org-owner", "BUSINESS", "Owner")
    clerk = service.identity.register_user("kc|org-clerk", "BUSINESS", "Clerk")
    with Client(authenticator_url) as app:
        owner = app.as_caller({"sub": "kc|org-owner", "role": "mercato_user"}, role="mercato_user")
        business = owner.parties.register_business("Owner Logistics", "LOGISTICS")
        [org] = owner.identity.my_organizations()
        assert (org["kind"], org["role"]) == ("BUSINESS", "OWNER")
        owner.identity.add_member(org["organization_id"], subject="kc|org-clerk")
        as_clerk = app.as_caller({"sub": "kc|org-clerk", "role": "mercato_user"}, role="mercato_user")
        assert [(m["display_name"], m["role"]) for m in as_clerk.identity.organization_members(org["organization_id"])
                ] == [("Owner", "OWNER"), ("Clerk", "STAFF")]
        with pytest.raises(MercatoError) as info:
            as_clerk.identity.set_member_role(org["organization_id"], clerk, "OWNER")
        assert info.value.http_status == 403, "STAFF does not manage members, itself included"
        owner.identity.set_member_role(org["organization_id"], clerk, "ADMIN")
        assert [m["role"] for m in as_clerk.identity.my_organizations()] == ["ADMIN"]
        owner.identity.remove_member(org["organization_id"], clerk)
        assert as_clerk.identity.my_organizations() == []
        assert business > 0
