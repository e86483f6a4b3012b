"""``client.masterdata``: one method per ``api`` wrapper of a ``masterdata`` function — typed settings, versioned
policies and the commission terms in force.

Values are read and validated by the database's typed readers and writers; Python parses nothing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient, typed


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a versioned policy (masterdata.policy_version), as ``api.policy_in_force`` answers it."""

    id: int
    policy_code: str
    version: int
    effective_from: datetime
    effective_to: datetime | None
    body: dict[str, Any]


class MasterdataClient(ModuleClient):
    """``client.masterdata``: reference data that changes by decision, not by traffic. Anyone reads a setting or the
    policy version in force; an admin (or the back office) changes a setting or adds a policy version, which never
    edits the version in force."""

    module = "masterdata"

    def setting(self, key: str, value_type: str = "NUMBER") -> Any:
        """A setting's value, read as ``value_type`` by the database's typed reader (another type is refused there):
        NUMBER as Decimal, BOOLEAN as bool, JSON decoded, STRING as str."""
        match value_type:
            case "NUMBER":
                return self._call_value("api.setting_number", key=key)
            case "STRING":
                return self._call_value("api.setting_text", key=key)
            case "BOOLEAN":
                return self._call_value("api.setting_bool", key=key)
            case "JSON":
                return self._call_value("api.setting_json", key=key)
        raise KeyError(value_type)

    def set_setting(self, key: str, value: str) -> None:
        self._call("api.set_setting", key=key, value=value)

    def add_policy_version(self, policy_code: str, effective_from: Any, body: dict, note: str = "") -> int:
        return self._call_value("api.add_policy_version", policy_code=policy_code,
                                effective_from=effective_from, body=Jsonb(body), note=note)

    def policy_in_force(self, policy_code: str, at: datetime | None = None) -> PolicyVersion:
        params: dict[str, Any] = {"policy_code": policy_code}
        if at is not None:
            params["at"] = at
        return typed(PolicyVersion, self._call_one("api.policy_in_force", **params))

    def commission_terms(self, tier_code: str, currency: str, at: datetime | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"tier_code": tier_code, "currency": currency}
        if at is not None:
            params["at"] = at
        return self._call_one("api.commission_terms", **params)
