"""Synthetic sign-in log records whose recorded results come from the engine itself.

For the sample logs, the tests and the benchmark: realistic mixes of users, apps,
methods, devices, locations and clients, written as Graph ``signIn`` objects, with
``appliedConditionalAccessPolicies`` and ``conditionalAccessStatus`` filled in by
replaying each record (so a faithful reader and replay agree on every one of them).
:func:`to_log_analytics` writes the same record as a ``SigninLogs`` row.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from protected_actions.model.tenant import Tenant

from .judge import _status, replayed
from .parse import sign_in

__all__ = ["APPS", "NOW", "synthetic_sign_ins", "to_log_analytics"]


def __dir__() -> list[str]:
    return __all__


NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
"""The end of the synthetic log's time window (the logs span the 7 days before)."""

APPS: tuple[tuple[str, str, str, str], ...] = (
    # (appId, appDisplayName, resourceId, resourceDisplayName)
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online",
     "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    ("de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph Explorer",
     "00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal",
     "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"),
    ("04b07795-8ddf-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI",
     "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"),
    ("6f3a1f3e-52b0-4d1e-9c7a-2b8f0c1d5e90", "Contoso Payroll",
     "6f3a1f3e-52b0-4d1e-9c7a-2b8f0c1d5e90", "Contoso Payroll"),
)
_METHODS = (
    (("Password",), (True,)),
    (("Password", "Mobile app notification"), (True, True)),
    (("Password", "Mobile app notification"), (True, False)),  # a failed MFA
    (("Password", "Text message"), (True, True)),
    (("FIDO2 security key",), (True,)),
    (("Windows Hello for Business",), (True,)),
)
_DEVICES: tuple[Mapping[str, Any], ...] = (
    {"operatingSystem": "Windows 10", "browser": "Edge 131.0.0"},
    {"deviceId": "", "operatingSystem": "iOS 17.1", "browser": "Mobile Safari"},
    {"deviceId": "0b7c0a39-5c43-4e3f-a9a6-1d4f6c7e8a01", "displayName": "PAW-01",
     "operatingSystem": "Windows 11", "isCompliant": True, "isManaged": True,
     "trustType": "Microsoft Entra joined", "browser": "Edge 131.0.0"},
    {"deviceId": "5d1e2f30-7a8b-4c9d-8e0f-1a2b3c4d5e02", "displayName": "LAPTOP-7",
     "operatingSystem": "Windows 10", "isCompliant": False, "isManaged": True,
     "trustType": "Microsoft Entra hybrid joined", "browser": "Chrome 130.0.0"},
    {"deviceId": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b03", "displayName": "Dave's Mac",
     "operatingSystem": "MacOs", "isCompliant": True, "isManaged": True,
     "trustType": "Microsoft Entra registered", "browser": "Safari"},
    {"operatingSystem": "Android 14", "browser": "Chrome Mobile"},
    {"operatingSystem": "Linux", "browser": "Firefox 132.0"},
)
_PLACES = (("203.0.113.", "NL", "Amsterdam"), ("198.51.100.", "BE", "Brussels"),
           ("192.0.2.", "US", "Seattle"), ("2001:db8:100::", "NL", "Utrecht"),
           ("100.64.0.", "FR", "Paris"))
_CLIENTS = ("Browser",) * 6 + ("Mobile Apps and Desktop clients",) * 3 + (
    "Exchange ActiveSync", "IMAP4")
_RISKS = ("none",) * 12 + ("low", "medium", "high")
_CONTEXTS: tuple[tuple[str, ...], ...] = ((),) * 8 + (("c1",), ("c3",), ("c10",), ("c1", "c3"))


def _record(rng: random.Random, users: Sequence[tuple[str, str]],
            apps: Sequence[tuple[str, str, str, str]]) -> dict[str, Any]:
    user_id, user_type = rng.choice(users)
    app_id, app_name, resource_id, resource_name = rng.choice(apps)
    at = NOW - timedelta(seconds=rng.randrange(7 * 24 * 3600))
    names, outcomes = rng.choice(_METHODS)
    auth_at = at - timedelta(minutes=rng.choice((0, 1, 30, 90, 300)))
    steps = [{"authenticationMethod": name,
              "authenticationStepDateTime": (auth_at + timedelta(seconds=k)).isoformat(
                  ).replace("+00:00", "Z"),
              "authenticationStepRequirement": "Primary authentication" if k == 0
              else "Multifactor authentication",
              "succeeded": ok}
             for k, (name, ok) in enumerate(zip(names, outcomes, strict=True))]
    prefix, country, city = rng.choice(_PLACES)
    ip = prefix + str(rng.randrange(1, 120))
    device = dict(rng.choice(_DEVICES))
    record: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "createdDateTime": at.isoformat().replace("+00:00", "Z"),
        "userId": user_id,
        "userPrincipalName": f"user{user_id[:8]}@contoso.example",
        "userType": user_type,
        "appId": app_id, "appDisplayName": app_name,
        "resourceId": resource_id, "resourceDisplayName": resource_name,
        "ipAddress": ip,
        "location": {"city": city, "countryOrRegion": country},
        "deviceDetail": device,
        "clientAppUsed": rng.choice(_CLIENTS),
        "riskLevelDuringSignIn": rng.choice(_RISKS),
        "riskLevelAggregated": rng.choice(_RISKS),
        "authenticationDetails": steps,
        "authenticationContextClassReferences": [
            {"id": c, "detail": "required"} for c in rng.choice(_CONTEXTS)],
        "originalTransferMethod": "deviceCodeFlow" if rng.random() < 0.03 else "none",
        "crossTenantAccessType": "b2bCollaboration" if user_type == "guest" else "none",
        "isInteractive": True,
    }
    return record


def synthetic_sign_ins(tenant: Tenant, count: int, *, seed: int = 16,
                       users: Sequence[tuple[str, str]] | None = None,
                       apps: Sequence[tuple[str, str, str, str]] = APPS,
                       applied_only: bool = False) -> Iterator[dict[str, Any]]:
    """``count`` Graph ``signIn`` objects for ``tenant``'s users (or ``users``: pairs of
    id and ``member``/``guest``) signing in to ``apps`` (``appId, appDisplayName,
    resourceId, resourceDisplayName``), reproducible from ``seed``, with the policies'
    results recorded as the engine decides them: every policy, as Entra lists them,
    or with ``applied_only`` only those that applied (smaller records)."""
    rng = random.Random(seed)
    people = list(users) if users is not None else [
        (u.id, "guest" if u.user_type.casefold() == "guest" else "member")
        for u in tenant.users]
    for i in range(count):
        record = _record(rng, people, apps)
        parsed = sign_in(record, "synthetic", i + 1)
        mine = replayed(tenant, parsed)
        record["appliedConditionalAccessPolicies"] = [
            {"id": r.policy_id, "displayName": r.display_name,
             "enforcedGrantControls": [], "enforcedSessionControls": [],
             "result": r.result.value}
            for r in sorted(mine.policies.values(), key=lambda r: r.policy_id)
            if not applied_only or r.applies]
        record["conditionalAccessStatus"] = _status(mine)
        yield record


_PASCAL = {"resourceId": "ResourceIdentity", "ipAddress": "IPAddress",
           "appliedConditionalAccessPolicies": "ConditionalAccessPolicies",
           "location": "LocationDetails"}


def to_log_analytics(record: Mapping[str, Any]) -> dict[str, str]:
    """The Log Analytics ``SigninLogs`` row of a Graph ``signIn`` object: PascalCase
    columns, nested values as JSON strings, every value a string (as in a CSV)."""
    row: dict[str, str] = {}
    for key, value in record.items():
        column = _PASCAL.get(key, key[:1].upper() + key[1:])
        if isinstance(value, (dict, list)):
            row[column] = json.dumps(value, separators=(",", ":"))
        elif isinstance(value, bool):
            row[column] = "true" if value else "false"
        else:
            row[column] = "" if value is None else str(value)
    row["TimeGenerated"] = row.get("CreatedDateTime", "")
    loc = record.get("location")
    row["Location"] = str(loc.get("countryOrRegion", "")) if isinstance(loc, Mapping) else ""
    return row
