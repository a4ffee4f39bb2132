"""One sign-in record (a Graph ``signIn`` object, or a Log Analytics ``SigninLogs``
row) -> a :class:`~protected_actions.replay.records.SignIn`.

Sessions are built directly with the model's constructors (the log is not session
JSON), under the session rules: enumerations are matched case-insensitively as
whole strings, and a blank, padded, control-character or unknown value makes the
record unreadable (:class:`RecordError`, with a did-you-mean where one is close).
A fact the record does not carry stays unknown in the session (no platform, no
address, no country: the conditions that need it are undetermined) or, where the
session has no "unknown" (an ambiguous method), is named in ``SignIn.lacking``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from protected_actions.errors import ProtectedActionsError
from protected_actions.model.methods import Authentication
from protected_actions.model.session import Device, SessionState, User

from .records import RecordedPolicy, SignIn
from .vocabulary import (
    AMBIGUOUS_METHODS,
    CLIENT_APPS,
    METHODS,
    OPERATING_SYSTEMS,
    TRANSFER_METHODS,
    TRUST_TYPES,
    USER_TYPES,
)

__all__ = ["GRAPH_FIELDS", "LOG_ANALYTICS_COLUMNS", "RecordError", "from_log_analytics",
           "is_log_analytics", "sign_in"]


def __dir__() -> list[str]:
    return __all__


_V = TypeVar("_V")


class RecordError(ValueError):
    """A record that cannot be read; the message says which property and why."""


_RISK_LEVELS = {v: v for v in ("none", "low", "medium", "high", "hidden")}
_RESULT_WORDS = ("success", "failure", "notApplied", "notEnabled", "unknown",
                 "unknownFutureValue", "reportOnlySuccess", "reportOnlyFailure",
                 "reportOnlyNotApplied", "reportOnlyInterrupted")
_RESULT_NAMES = {**{r.casefold(): r for r in _RESULT_WORDS}, **{r: r for r in _RESULT_WORDS}}
_STATUSES = {s.casefold(): s for s in ("success", "failure", "notApplied",
                                       "unknownFutureValue")}
_CROSS_TENANT = {s.casefold(): s for s in ("none", "b2bCollaboration", "b2bDirectConnect",
                                           "microsoftSupport", "serviceProvider",
                                           "unknownFutureValue", "passthrough")}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FRACTION = re.compile(r"(\.\d{6})\d+")

CACHE_SIZE = 4096
"""Distinct values remembered per kind of record part (the recorded results, the
user, the device): a part whose properties are the same strings as one read before
is that part again, without reading it anew (each table is emptied when full)."""
_RECORDED: dict[Hashable, tuple[RecordedPolicy, ...]] = {}
_USERS: dict[Hashable, tuple[User, bool]] = {}
_DEVICES: dict[Hashable, tuple[Device | None, str | None]] = {}
_PLAIN = (str, bool, type(None))
"""Value types a key may hold: none of them equals a value of another (``1`` would
equal ``True``, so numbers are left out)."""


def _remember(table: dict[Hashable, _V], key: Hashable, value: _V) -> None:
    if len(table) >= CACHE_SIZE:
        table.clear()
    table[key] = value


def _recorded_key(entries: object) -> Hashable | None:
    """``(id, displayName, result)`` of each entry, as the key of what they were read
    into; ``None`` unless each entry is an object whose id and result are strings
    and whose display name is a string or null.

    Only keys of entries read without error are remembered, and a string equals
    only the same string, so a key found is the same text read before."""
    if type(entries) is not list:
        return None
    key = []
    for entry in entries:
        if type(entry) is not dict:
            return None
        policy_id, name, result = entry.get("id"), entry.get("displayName"), entry.get("result")
        if type(policy_id) is not str or type(result) is not str or (
                name is not None and type(name) is not str):
            return None
        key.append((policy_id, name, result))
    return tuple(key)


def _object_key(item: Mapping[str, Any], names: tuple[str, ...]) -> Hashable | None:
    """The values of ``names`` in ``item``, as the key of what they were read into;
    ``None`` unless every value is a string, a boolean or null (as for
    :func:`_recorded_key`)."""
    values = tuple(item.get(name) for name in names)
    for value in values:
        if type(value) not in _PLAIN:
            return None
    return values

GRAPH_FIELDS = frozenset({
    # read into the session, the target or the recorded results
    "id", "createdDateTime", "userId", "userDisplayName", "userPrincipalName", "userType",
    "appId", "appDisplayName", "resourceId", "resourceDisplayName", "ipAddress", "location",
    "deviceDetail", "clientAppUsed", "riskLevelDuringSignIn", "riskLevelAggregated",
    "authenticationDetails", "authenticationContextClassReferences",
    "originalTransferMethod", "appliedConditionalAccessPolicies", "conditionalAccessStatus",
    "crossTenantAccessType", "homeTenantId",
    # known, and not a fact Conditional Access reads
    "@odata.type", "correlationId", "isInteractive", "status", "riskDetail", "riskState",
    "riskEventTypes", "riskEventTypes_v2", "authenticationMethodsUsed",
    "authenticationProcessingDetails", "authenticationProtocol", "authenticationRequirement",
    "authenticationRequirementPolicies", "autonomousSystemNumber", "azureResourceId",
    "clientCredentialType", "conditionalAccessAudiences", "federatedCredentialId",
    "flaggedForReview", "globalSecureAccessIpAddress", "homeTenantName", "incomingTokenType",
    "ipAddressFromResourceProvider", "isTenantRestricted", "isThroughGlobalSecureAccess",
    "managedServiceIdentity", "mfaDetail", "networkLocationDetails", "originalRequestId",
    "privateLinkDetails", "processingTimeInMilliseconds", "resourceServicePrincipalId",
    "resourceTenantId", "servicePrincipalCredentialKeyId",
    "servicePrincipalCredentialThumbprint", "servicePrincipalId", "servicePrincipalName",
    "sessionLifetimePolicies", "signInEventTypes", "signInIdentifier",
    "signInIdentifierType", "signInTokenProtectionStatus", "tokenIssuerName",
    "tokenIssuerType", "tokenProtectionStatusDetails", "uniqueTokenIdentifier", "userAgent",
    "appOwnerTenantId", "resourceOwnerTenantId", "appliedEventListeners",
    "appTokenProtectionStatus", "authenticationAppDeviceDetails",
    "authenticationAppPolicyEvaluationDetails", "sessionId", "agent", "isRisky",
})
"""Every Graph ``signIn`` property this reader knows; any other is counted as unknown."""

LOG_ANALYTICS_COLUMNS: Mapping[str, str | None] = {
    "ResourceIdentity": "resourceId",  # SigninLogs' ResourceId is the Azure resource of the log
    "IPAddress": "ipAddress",
    "ConditionalAccessPolicies": "appliedConditionalAccessPolicies",
    "LocationDetails": "location",
    "RiskEventTypes_V2": "riskEventTypes_v2",
    "MfaDetail": "mfaDetail",
    # columns of the Log Analytics table itself, not of the sign-in
    "TimeGenerated": None, "TenantId": None, "SourceSystem": None, "ResourceId": None,
    "ResourceGroup": None, "OperationName": None, "OperationVersion": None,
    "Category": None, "ResultType": None, "ResultSignature": None,
    "ResultDescription": None, "DurationMs": None, "CallerIpAddress": None,
    "Level": None, "Location": None, "Identity": None, "AlternateSignInName": None,
    "Type": None, "_ResourceId": None, "_SubscriptionId": None,
    "AADTenantId": None, "TableName": None,
}
"""Log Analytics columns whose Graph name is not the column in camelCase (``None``:
a column of the table, not of the sign-in; ``Location`` repeats
``LocationDetails.countryOrRegion``)."""

_NESTED = frozenset({"appliedConditionalAccessPolicies", "authenticationContextClassReferences",
                     "authenticationDetails", "deviceDetail", "location", "status",
                     "mfaDetail", "networkLocationDetails", "authenticationProcessingDetails",
                     "authenticationRequirementPolicies", "appliedEventListeners",
                     "sessionLifetimePolicies", "riskEventTypes", "riskEventTypes_v2",
                     "authenticationMethodsUsed", "signInEventTypes", "agent",
                     "managedServiceIdentity", "privateLinkDetails",
                     "authenticationAppDeviceDetails", "tokenProtectionStatusDetails",
                     "authenticationAppPolicyEvaluationDetails"})
_TIME_COLUMN = "TimeGenerated"


def from_log_analytics(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``SigninLogs`` row (PascalCase columns; nested values as JSON strings, empty
    cells for nothing) as the Graph ``signIn`` object it records.

    :raises RecordError: a nested column that is not valid JSON.
    """
    out: dict[str, Any] = {}
    for column, value in row.items():
        if not isinstance(column, str):
            raise RecordError(f"column name {column!r} is not a string")
        if value is None or value == "":
            continue
        if column in LOG_ANALYTICS_COLUMNS:
            name = LOG_ANALYTICS_COLUMNS[column]
            if name is None:
                continue
        else:
            name = column[:1].lower() + column[1:]
        if name in _NESTED and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise RecordError(f"{column}: not valid JSON ({exc})") from None
        out[name] = value
    if "createdDateTime" not in out and row.get(_TIME_COLUMN):
        out["createdDateTime"] = row[_TIME_COLUMN]
    return out


def is_log_analytics(record: Mapping[str, Any]) -> bool:
    """Whether a record has Log Analytics' PascalCase columns rather than Graph's names."""
    return any(k in record for k in ("UserId", "TimeGenerated", "CreatedDateTime", "AppId"))


def _did_you_mean(value: str, known: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(value.casefold(), list(known), n=1, cutoff=0.75)
    return f" (did you mean {known[close[0]]!r}?)" if close else ""


def _word(record: Mapping[str, Any], name: str) -> str | None:
    """A string property: absent or null is ``None``; blank, padded or control
    characters are errors."""
    value = record.get(name)
    if value is None:
        return None
    if type(value) is not str:
        raise RecordError(f"{name}: expected a string, got {type(value).__name__}")
    if value == "":
        return None
    if value.isprintable() and not value[0].isspace() and not value[-1].isspace():
        return value  # the common case, without the pattern
    if value != value.strip() or _CONTROL.search(value):
        raise RecordError(f"{name}: {value!r} has surrounding whitespace or control "
                          "characters")
    return value


def _text(record: Mapping[str, Any], name: str) -> str | None:
    """A display text (a name, an address book entry): any string, as it is."""
    value = record.get(name)
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise RecordError(f"{name}: expected a string, got {type(value).__name__}")
    return value


def _enum(record: Mapping[str, Any], name: str, table: Mapping[str, str]) -> str | None:
    value = _word(record, name)
    if value is None:
        return None
    found = table.get(value.casefold())
    if found is None:
        raise RecordError(f"{name}: unknown value {value!r}{_did_you_mean(value, table)}")
    return found


def _time(value: object, name: str) -> datetime:
    if not isinstance(value, str) or not value or value != value.strip():
        raise RecordError(f"{name}: expected an ISO 8601 time, got {value!r}")
    text = _FRACTION.sub(r"\1", value) if "." in value else value
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{name}: {value!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise RecordError(f"{name}: {value!r} has no time zone")
    return at


def _object(record: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = record.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordError(f"{name}: expected an object, got {type(value).__name__}")
    return value


def _list(record: Mapping[str, Any], name: str) -> list[Any]:
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{name}: expected an array, got {type(value).__name__}")
    return value


def _bool(record: Mapping[str, Any], name: str) -> bool | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.casefold() in ("true", "false"):
        return value.casefold() == "true"
    raise RecordError(f"{name}: expected true or false, got {value!r}")


def _platform(os_name: str | None) -> str | None:
    if os_name is None:
        return None
    folded = os_name.casefold()
    for prefix, platform in OPERATING_SYSTEMS:
        if folded.startswith(prefix):
            return platform
    return None


def _device(detail: Mapping[str, Any]) -> Device | None:
    device_id = _word(detail, "deviceId")
    if device_id is None:
        return None  # an unregistered device: every filter property is null
    return Device(
        device_id=device_id,
        display_name=_text(detail, "displayName"),
        is_compliant=_bool(detail, "isCompliant"),
        is_managed=bool(_bool(detail, "isManaged")),
        trust_type=_enum(detail, "trustType", TRUST_TYPES),
        operating_system=_text(detail, "operatingSystem"),
    )


def _authentications(steps: list[Any], lacking: list[str]) -> tuple[Authentication, ...]:
    methods: set[str] = set()
    latest: datetime | None = None
    for i, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise RecordError(f"authenticationDetails[{i}]: expected an object")
        if _bool(step, "succeeded") is not True:
            continue  # a failed or unfinished step is no evidence
        name = _word(step, "authenticationMethod")
        if name is None:
            continue
        folded = name.casefold()
        if folded in AMBIGUOUS_METHODS:
            lacking.append(f"authentication method {name!r}")
            continue
        method = METHODS.get(folded)
        if method is None:
            raise RecordError(f"authenticationDetails[{i}].authenticationMethod: unknown "
                              f"method {name!r}{_did_you_mean(name, METHODS)}")
        at_text = step.get("authenticationStepDateTime")
        if at_text is None:
            lacking.append(f"time of {name!r}")
            continue
        at = _time(at_text, f"authenticationDetails[{i}].authenticationStepDateTime")
        methods.add(method)
        latest = at if latest is None or at > latest else latest
    if not methods or latest is None:
        return ()
    return (Authentication(methods=methods, at=latest),)


def _recorded(entries: list[Any]) -> tuple[RecordedPolicy, ...]:
    key = _recorded_key(entries)
    found = _RECORDED.get(key) if key is not None else None
    if found is None:
        found = tuple(_recorded_entry(i, entry) for i, entry in enumerate(entries))
        if key is not None:
            _remember(_RECORDED, key, found)
    return found


def _recorded_entry(i: int, entry: object) -> RecordedPolicy:
    try:
        return _recorded_policy(i, entry)
    except RecordError as exc:
        message = str(exc)
        if message.startswith("appliedConditionalAccessPolicies"):
            raise
        raise RecordError(f"appliedConditionalAccessPolicies[{i}].{message}") from None


def _recorded_policy(i: int, entry: object) -> RecordedPolicy:
    if not isinstance(entry, Mapping):
        raise RecordError(f"appliedConditionalAccessPolicies[{i}]: expected an object")
    policy_id = _word(entry, "id")
    if policy_id is None:
        raise RecordError(f"appliedConditionalAccessPolicies[{i}].id is missing")
    word = entry.get("result")
    result = _RESULT_NAMES.get(word) if type(word) is str else None  # exact: fast
    if result is None:
        result = _enum(entry, "result", _RESULT_NAMES)
    if result is None:
        raise RecordError(f"appliedConditionalAccessPolicies[{i}].result is missing")
    return RecordedPolicy(policy_id=policy_id, display_name=_text(entry, "displayName"),
                          result=result)


def _guest_type(user_type: str | None, access: str | None) -> str | None:
    if access == "b2bCollaboration":
        return "b2bCollaborationGuest" if user_type == "guest" else "b2bCollaborationMember"
    if access == "b2bDirectConnect":
        return "b2bDirectConnectUser"
    if access == "serviceProvider":
        return "otherExternalUser"
    return None  # a local guest is derived from the user type by the engine


_USER_FIELDS = ("userId", "userDisplayName", "userType", "crossTenantAccessType",
                "homeTenantId")


def _user(record: Mapping[str, Any], user_id: str) -> tuple[User, bool]:
    """The record's user, and whether the record lacks its type."""
    key = _object_key(record, _USER_FIELDS)
    found = _USERS.get(key) if key is not None else None
    if found is None:
        user_type = _enum(record, "userType", USER_TYPES)
        access = _enum(record, "crossTenantAccessType", _CROSS_TENANT)
        found = (User(id=user_id, display_name=_text(record, "userDisplayName"),
                      user_type=user_type or "member",
                      guest_or_external_user_type=_guest_type(user_type, access),
                      home_tenant_id=_word(record, "homeTenantId")), user_type is None)
        if key is not None:
            _remember(_USERS, key, found)
    return found


_DEVICE_FIELDS = ("deviceId", "displayName", "isCompliant", "isManaged", "trustType",
                  "operatingSystem")


def _device_and_platform(detail: Mapping[str, Any]) -> tuple[Device | None, str | None]:
    key = _object_key(detail, _DEVICE_FIELDS)
    found = _DEVICES.get(key) if key is not None else None
    if found is None:
        platform = _platform(_text(detail, "operatingSystem"))
        found = (_device(detail), platform)
        if key is not None:
            _remember(_DEVICES, key, found)
    return found


def sign_in(record: Mapping[str, Any], source: str, line: int) -> SignIn:
    """Read one Graph ``signIn`` object (or a Log Analytics row, detected by its
    columns) into a :class:`SignIn`.

    :raises RecordError: the record cannot be read; the message names the property.
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a sign-in object, got {type(record).__name__}")
    if is_log_analytics(record):
        record = from_log_analytics(record)
    try:
        return _sign_in(record, source, line)
    except ProtectedActionsError as exc:  # a model rule the record breaks
        raise RecordError(str(exc)) from None


def _sign_in(record: Mapping[str, Any], source: str, line: int) -> SignIn:
    lacking: list[str] = []
    user_id = _word(record, "userId")
    if user_id is None:
        raise RecordError("userId is missing (a sign-in of a user is replayed; "
                          "workload identities are not)")
    created = record.get("createdDateTime")
    if created is None:
        raise RecordError("createdDateTime is missing")
    at = _time(created, "createdDateTime")
    app_id = _word(record, "appId")
    resource = _word(record, "resourceId") or app_id
    if resource is None:
        raise RecordError("neither resourceId nor appId is given: no target to replay")
    user, no_user_type = _user(record, user_id)
    if no_user_type:
        lacking.append("userType")
    location = _object(record, "location")
    detail = _object(record, "deviceDetail")
    client = _enum(record, "clientAppUsed", CLIENT_APPS)
    if client is None:
        lacking.append("clientAppUsed")
    sign_in_risk = _enum(record, "riskLevelDuringSignIn", _RISK_LEVELS)
    user_risk = _enum(record, "riskLevelAggregated", _RISK_LEVELS)
    transfer = _word(record, "originalTransferMethod")
    flow = None if transfer is None or transfer.casefold() == "none" else \
        _enum(record, "originalTransferMethod", TRANSFER_METHODS)
    contexts = []
    for i, ref in enumerate(_list(record, "authenticationContextClassReferences")):
        if not isinstance(ref, Mapping) or _word(ref, "id") is None:
            raise RecordError(f"authenticationContextClassReferences[{i}]: expected an "
                              "object with an id")
        contexts.append(str(ref["id"]))
    authentications = _authentications(_list(record, "authenticationDetails"), lacking)
    device, platform = _device_and_platform(detail)
    session = SessionState(
        at=at, user=user, authentications=authentications,
        device_platform=platform, device=device,
        ip_address=_word(record, "ipAddress"),
        country=_word(location, "countryOrRegion"),
        client_app_type=client or "browser",
        sign_in_risk_level=sign_in_risk or "none",
        user_risk_level=user_risk or "none",
        authentication_flow=flow,
        application_id=app_id,
    )
    unknown = tuple(sorted(k for k in record if k not in GRAPH_FIELDS))
    return SignIn(
        source=source, line=line, id=_word(record, "id"), session=session,
        resource=resource, auth_contexts=tuple(dict.fromkeys(contexts)),
        recorded=_recorded(_list(record, "appliedConditionalAccessPolicies")),
        status=_enum(record, "conditionalAccessStatus", _STATUSES),
        lacking=tuple(lacking), unknown_fields=unknown,
        user_principal_name=_text(record, "userPrincipalName"),
        app_display_name=_text(record, "appDisplayName"),
    )
