"""Graph's What If request as a session and a target.

``POST /identity/conditionalAccess/evaluate`` takes ``signInIdentity``,
``signInContext`` and ``signInConditions``
(https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate?view=graph-rest-1.0).
:func:`load_what_if` reads such a body into a :class:`SessionState` (through
:func:`load_session`, so every value is checked the same way) and the target the
engine takes: an application id or user action for ``evaluate_sign_in``, or an auth
context value. The request carries no time, so the caller gives ``at``.

``signInConditions`` maps one to one onto the session JSON, except ``deviceInfo``
(the session's ``device``) and ``servicePrincipalRiskLevel``, which a user sign-in
does not read: only ``none`` (or absent) is accepted, anything else is an error.
Anything the adapter does not know is an error with its path, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from protected_actions.errors import LoadError, LoadProblem
from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from ._api import load_session
from ._codecs import find

__all__ = ["WhatIfRequest", "load_what_if"]

_USER_ACTIONS = {
    "registersecurityinformation": "urn:user:registersecurityinfo",
    "registerorjoindevices": "urn:user:registerdevice",
}
_TOP = ("signInIdentity", "signInContext", "signInConditions", "appliedPoliciesOnly")


@attrs.frozen(kw_only=True)
class WhatIfRequest:
    """A What If request read: the session, what it targets and how.

    ``target_kind`` is ``"application"``, ``"userAction"`` or ``"authenticationContext"``;
    ``target`` is the application id, the user action (``urn:user:...``) or the auth
    context value (``c37``).
    """

    session: SessionState
    target_kind: str
    target: str
    applied_policies_only: bool = False


def _fail(path: str, message: str) -> LoadError:
    return LoadError([LoadProblem(path, message)])


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "expected an object")
    return value


def _tag(value: Mapping[str, Any]) -> str:
    tag = value.get("@odata.type")
    return ascii_lower(tag.rsplit(".", 1)[-1]) if isinstance(tag, str) else ""


def _target(context: Mapping[str, Any]) -> tuple[str, str]:
    tag = _tag(context)
    if tag == "applicationcontext":
        apps = find(context, "includeApplications")
        if not isinstance(apps, list) or len(apps) != 1 or not isinstance(apps[0], str):
            raise _fail("$.signInContext.includeApplications", "expected one application id")
        return "application", apps[0]
    if tag == "useractioncontext":
        action = find(context, "userAction")
        name = _USER_ACTIONS.get(ascii_lower(action)) if isinstance(action, str) else None
        if name is None:
            raise _fail("$.signInContext.userAction", "expected registerSecurityInformation "
                        "or registerOrJoinDevices")
        return "userAction", name
    if tag == "authcontext":
        value = find(context, "authenticationContextValue")
        if not isinstance(value, str) or not value:
            raise _fail("$.signInContext.authenticationContextValue",
                        "expected an auth context value such as \"c37\"")
        return "authenticationContext", value
    raise _fail("$.signInContext", "expected @odata.type #microsoft.graph.applicationContext, "
                "#microsoft.graph.userActionContext or #microsoft.graph.authContext")


def load_what_if(body: Mapping[str, Any], *, at: datetime | str) -> WhatIfRequest:
    """Read a What If request body (user sign-ins only) taken at ``at``.

    :raises LoadError: with the JSON path of whatever cannot be read.
    """
    body = _object(body, "$")
    unknown = sorted(k for k in body if k not in _TOP)
    if unknown:
        raise _fail(f"$.{unknown[0]}", "unknown property of a What If request")
    identity = _object(body.get("signInIdentity"), "$.signInIdentity")
    if _tag(identity) != "usersignin" or not isinstance(identity.get("userId"), str):
        raise _fail("$.signInIdentity", "expected a #microsoft.graph.userSignIn with a userId")
    kind, target = _target(_object(body.get("signInContext"), "$.signInContext"))
    conditions = dict(_object(body.get("signInConditions", {}), "$.signInConditions"))
    risk = conditions.pop("servicePrincipalRiskLevel", "none")
    if not isinstance(risk, str) or ascii_lower(risk) != "none":
        raise _fail("$.signInConditions.servicePrincipalRiskLevel",
                    "a user sign-in has no service principal risk: expected none")
    if "deviceInfo" in conditions:
        conditions["device"] = conditions.pop("deviceInfo")
    user: dict[str, Any] = {"id": identity["userId"]}
    for key in ("externalTenantId", "externalUserType"):
        if identity.get(key) is not None:
            user["homeTenantId" if key == "externalTenantId" else
                 "guestOrExternalUserType"] = identity[key]
    stamp = at if isinstance(at, str) else at.isoformat()
    session = load_session({"at": stamp, "user": user, **conditions})
    only = body.get("appliedPoliciesOnly", False)
    if not isinstance(only, bool):
        raise _fail("$.appliedPoliciesOnly", "expected true or false")
    return WhatIfRequest(session=session, target_kind=kind, target=target,
                         applied_policies_only=only)
