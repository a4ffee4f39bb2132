"""Access-token claims for resource servers: :func:`check_token` and
:func:`session_from_token_claims`.

An API that protects an operation with an authentication context receives an
access token its JWT library has already validated (signature, issuer, audience,
lifetime). What is left is the Conditional Access part, as the developer guide's
sample does it (entra-facts §2.3, §2.5):

1. Map the operation to its auth context through the tenant's protected actions
   (never hard-code context ids, §2.5).
2. The token's ``acrs`` claim lists the contexts whose policies Conditional Access
   found satisfied when it issued the token (§2.3): if it carries the context, allow.
3. Otherwise, if the client declared the ``cp1`` capability in ``xms_cc``, answer
   with a claims challenge (HTTP 401 and :meth:`Challenge.www_authenticate`, §2.2);
   if it did not, the client could not act on one: deny.

Claims are plain data (``Mapping[str, Any]``), the output of any JWT library.
Nothing here reads the clock: the time is the ``at`` argument or the token's ``iat``.

``amr`` values become Graph ``authenticationMethodModes`` names (entra-facts §5.2)
only where the value names one method unambiguously (:data:`AMR_METHODS`):

=========  ==========================  =============================================
``amr``    method                      source of the ``amr`` value
=========  ==========================  =============================================
``pwd``    ``password``                Microsoft identity platform token reference
``fed``    ``federatedSingleFactor``   Microsoft (a federated assertion; the lower
                                       bound: the IdP may have done more)
``sms``    ``sms``                     RFC 8176
``tel``    ``voice``                   RFC 8176
``fido``   ``fido2``                   not in Microsoft's list; unambiguous if present
=========  ==========================  =============================================

Everything else is left out rather than guessed: ``rsa`` (Authenticator app *or* a
certificate), ``otp`` (Microsoft: a passcode by email *or* text message), ``wia``
(Windows Integrated Authentication has no Graph method), ``hwk``/``swk`` (a key,
not a method: passkey, Windows Hello or smart card), ``sc``, ``pin`` and the
biometrics, and the indicators ``mfa``, ``ngcmfa``, ``wiaormfa`` and ``none``,
which name no method. A left-out value can only make the what-if ask for more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

import attrs

from protected_actions.engine.decision import Challenge, Decision, Outcome, Reason, ReasonCode
from protected_actions.engine.evaluator import evaluate
from protected_actions.errors import InvalidModelError
from protected_actions.model.methods import Authentication
from protected_actions.model.permissions import Permission
from protected_actions.model.session import Device, SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

__all__ = ["AMR_METHODS", "check_token", "session_from_token_claims"]


def __dir__() -> list[str]:
    return __all__


AMR_METHODS: Mapping[str, str] = MappingProxyType({
    "pwd": "password",
    "fed": "federatedSingleFactor",
    "sms": "sms",
    "tel": "voice",
    "fido": "fido2",
})
"""``amr`` claim value -> Graph authentication method name, where one is certain."""

_CP1 = "cp1"  # the xms_cc value by which a client says it handles claims challenges (§2.2)

# What-if reasons that describe an allow: never carried over into a challenge or deny.
_ALLOW_CODES = frozenset({ReasonCode.NO_POLICY_APPLIES, ReasonCode.ALL_POLICIES_SATISFIED})


def _field(name: str) -> str:
    return f"token_claims.{name}"


def _string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidModelError(_field(name), "a string", value)
    return value


def _strings(claims: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A multi-valued claim: a JSON array of strings (a lone string is one value)."""
    value = claims.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidModelError(_field(name), "an array of strings", value)
    return tuple(v for v in value if v)


def _numeric_date(claims: Mapping[str, Any], name: str) -> datetime | None:
    """A JWT NumericDate (seconds since the epoch, UTC)."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidModelError(_field(name), "a NumericDate (seconds since the epoch)", value)
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InvalidModelError(_field(name), "a NumericDate (seconds since the epoch)",
                                value) from None


def _casefolded(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(ascii_lower(v) for v in values)


def _is_app_only(claims: Mapping[str, Any]) -> bool:
    """Whether the token is app-only (``idtyp`` ``app``): no user signed in, so no
    step-up is possible (entra-facts §2.5)."""
    return ascii_lower(_string(claims, "idtyp") or "") == "app"


def _declares_claims_capability(claims: Mapping[str, Any]) -> bool:
    """Whether ``xms_cc`` holds ``cp1`` (case-insensitive, any order; §2.2)."""
    return _CP1 in _casefolded(_strings(claims, "xms_cc"))


def session_from_token_claims(claims: Mapping[str, Any], *, at: datetime | None = None
                              ) -> SessionState:
    """The session an access token's claims describe, for a what-if.

    - the user is ``oid`` (else ``sub``), with the directory roles of ``wids``
      (role template ids) and the groups of ``groups`` (absent on group overage);
    - ``amr`` gives one authentication at ``auth_time`` with the methods of
      :data:`AMR_METHODS`; without ``auth_time``, or with no mapped method, the
      session has no authentication (when it happened is unknown: fail-closed);
    - ``ipaddr`` is the IP address, ``deviceid`` a registered device (its
      compliance unknown), ``azp`` (else ``appid``) the client application;
    - the client supports claims challenges when ``xms_cc`` holds ``cp1`` and the
      token is not app-only.

    The evaluator adds what the tenant's directory records about the user (DESIGN §6).

    :param at: the session's time; defaults to the token's ``iat``.
    :raises InvalidModelError: a claim has the wrong type, or the user id or the
        time is missing (the ``field`` names the claim: ``token_claims.oid``).
    """
    if not isinstance(claims, Mapping):
        raise InvalidModelError("token_claims", "a mapping of claim names to values", claims)
    when = at if at is not None else _numeric_date(claims, "iat")
    if when is None:
        raise InvalidModelError(_field("iat"), "the token's issue time, or an explicit at",
                                None)
    user_id = _string(claims, "oid") or _string(claims, "sub")
    if user_id is None:
        raise InvalidModelError(_field("oid"), "the user's object id (or a sub claim)", None)
    methods = frozenset(AMR_METHODS[v] for v in _casefolded(_strings(claims, "amr"))
                        if v in AMR_METHODS)
    auth_time = _numeric_date(claims, "auth_time")
    device_id = _string(claims, "deviceid")
    return SessionState(
        at=when,
        user=User(id=user_id, roles=_strings(claims, "wids"),
                  member_of=_strings(claims, "groups")),
        authentications=(Authentication(methods=methods, at=auth_time),)
        if methods and auth_time is not None else (),
        ip_address=_string(claims, "ipaddr"),
        device=Device(device_id=device_id) if device_id else None,
        application_id=_string(claims, "azp") or _string(claims, "appid"),
        supports_claims_challenge=_declares_claims_capability(claims)
        and not _is_app_only(claims),
    )


def check_token(tenant: Tenant, token_claims: Mapping[str, Any], action: str | Permission,
                *, at: datetime | None = None) -> Decision:
    """May the bearer of this (validated) access token perform ``action`` now?

    The outcome rests on the token (entra-facts §2.3, §2.5, the developer guide):

    - ``action`` not protected: ``ALLOW`` ``NOT_PROTECTED``; a directory
      permission whose context no enabled policy targets: ``DENY``
      ``CONTEXT_NOT_ENFORCED``, as :func:`~protected_actions.evaluate` decides;
    - the token's ``acrs`` carries the context (compared without case):
      ``ALLOW`` ``ALL_POLICIES_SATISFIED``, with no per-policy trace;
    - otherwise, the client declared ``cp1`` in ``xms_cc``: ``CHALLENGE`` whose
      :class:`Challenge` asks for the context (``claims``, ``www_authenticate()``);
    - otherwise (or for an app-only token): ``DENY`` ``CLIENT_CANNOT_STEP_UP``.

    For a challenge or a denial, a what-if evaluation of the token's own facts
    (:func:`session_from_token_claims`, as of ``at``) says what the step-up will
    ask: it gives the challenge's requirements, the other reasons (a policy that
    would block, an undetermined condition), ``complete`` and the trace.

    Authorization (scopes, app roles) stays the API's own check: roles are not
    checked here (``evaluate(..., check_authorization=False)``).

    :param at: the time of the what-if; defaults to the token's ``iat``.
    :raises InvalidPermissionError: ``action`` is malformed.
    :raises InvalidModelError: a claim has the wrong type, or the user id or the
        time is missing.
    """
    session = session_from_token_claims(token_claims, at=at)
    what_if = evaluate(tenant, attrs.evolve(session, supports_claims_challenge=True), action,
                       check_authorization=False)
    context = what_if.context_id
    if context is None or ReasonCode.CONTEXT_NOT_ENFORCED in what_if.codes:
        return what_if
    carried = _strings(token_claims, "acrs")
    if ascii_lower(context) in _casefolded(carried):
        return Decision(
            outcome=Outcome.ALLOW, target=what_if.target, user_id=what_if.user_id,
            context_id=context,
            reasons=(Reason(code=ReasonCode.ALL_POLICIES_SATISFIED,
                            message=f"the token's acrs claim carries {context}: Conditional "
                            "Access found its policies satisfied when it issued the token"),))
    requirements = what_if.challenge.requirements if what_if.challenge else ()
    missing = (f"the token's acrs claim does not carry {context} (it carries "
               f"{', '.join(carried) or 'none'})")
    if session.supports_claims_challenge:
        outcome, challenge, dropped = Outcome.CHALLENGE, Challenge(
            acrs=(context,), requirements=requirements), _ALLOW_CODES
        primary = Reason(code=ReasonCode.STEP_UP_REQUIRED, message=(
            f"{missing}; the client declared {_CP1}, so it is challenged to "
            f"request {context}" + (": the token's facts already satisfy the policies, so "
                                    "no prompt is expected" if what_if.allowed else "")))
    else:
        outcome, challenge, dropped = Outcome.DENY, None, _ALLOW_CODES | {
            ReasonCode.STEP_UP_REQUIRED}
        why = ("the token is app-only, and only apps that sign in users can step up"
               if _is_app_only(token_claims) else
               f"the client did not declare the {_CP1} capability (xms_cc)")
        primary = Reason(code=ReasonCode.CLIENT_CANNOT_STEP_UP, message=(
            f"{missing}, and {why}, so it cannot take a claims challenge"
            + ("; it would need: " + "; ".join(r.describe() for r in requirements)
               if requirements else "")))
    reasons = (primary, *(r for r in what_if.reasons if r.code not in dropped))
    return Decision(outcome=outcome, reasons=tuple(sorted(reasons, key=Reason.sort_key)),
                    target=what_if.target, user_id=what_if.user_id, context_id=context,
                    challenge=challenge, complete=what_if.complete, trace=what_if.trace)
