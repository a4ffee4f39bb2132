"""What the evaluator answers: Outcome, Decision, PolicyResult, Requirement, Challenge.

Explanations are data: every decision says which policies applied, which did not and
why (Graph what-if ``analysisReasons`` names), and which requirement is unmet. The
per-policy trace is computed on first access to :attr:`Decision.policies`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, NamedTuple

import attrs

from protected_actions.errors import InvalidModelError
from protected_actions.model.display import html_for
from protected_actions.model.enums import StrEnum

__all__ = [
    "AnalysisReason",
    "Challenge",
    "Control",
    "ControlKind",
    "Decision",
    "Outcome",
    "PolicyResult",
    "PolicyResultName",
    "PolicyVerdict",
    "Reason",
    "ReasonCode",
    "Requirement",
]


def __dir__() -> list[str]:
    return __all__


class Outcome(StrEnum):
    """The answer: ``allow``, ``challenge`` (step up) or ``deny``."""

    ALLOW = "allow"
    CHALLENGE = "challenge"
    DENY = "deny"



class ReasonCode(StrEnum):
    """Stable, machine-readable reason codes. Their meaning never changes."""

    #: No active role of the user grants the permission (DESIGN §4.2).
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    #: Only an eligible (PIM) role grants it: activate the role first.
    ROLE_NOT_ACTIVE = "ROLE_NOT_ACTIVE"
    #: The permission is not mapped to an authentication context.
    NOT_PROTECTED = "NOT_PROTECTED"
    #: Protected, but no enabled policy targets the context: never satisfied (facts §1.3).
    CONTEXT_NOT_ENFORCED = "CONTEXT_NOT_ENFORCED"
    #: No enforced policy applies: access is allowed (facts §6.1).
    NO_POLICY_APPLIES = "NO_POLICY_APPLIES"
    #: Every enforced policy that applies is satisfied.
    ALL_POLICIES_SATISFIED = "ALL_POLICIES_SATISFIED"
    #: An enforced policy that applies has the ``block`` control.
    BLOCKED_BY_POLICY = "BLOCKED_BY_POLICY"
    #: The user can satisfy the unmet requirements interactively.
    STEP_UP_REQUIRED = "STEP_UP_REQUIRED"
    #: The requirements are interactive but this client cannot be prompted.
    CLIENT_CANNOT_STEP_UP = "CLIENT_CANNOT_STEP_UP"
    #: A requirement no prompt can satisfy (device state, app, unknown control).
    REQUIREMENT_NOT_INTERACTIVE = "REQUIREMENT_NOT_INTERACTIVE"
    #: A condition could not be decided from the session; treated as applying.
    UNDETERMINED_CONDITION = "UNDETERMINED_CONDITION"
    #: Policy data the evaluator cannot interpret (e.g. a bad device filter rule).
    POLICY_ISSUE = "POLICY_ISSUE"
    #: A policy whose state is not one the evaluator knows: treated as enforced.
    UNKNOWN_POLICY_STATE = "UNKNOWN_POLICY_STATE"
    #: The permission's ``resourceActions`` entry holds what the evaluator cannot
    #: read: its protection is unknown, decided fail-closed (DENY, incomplete).
    PROTECTION_UNDETERMINED = "PROTECTION_UNDETERMINED"


class AnalysisReason(StrEnum):
    """Graph what-if ``whatIfAnalysisReasons`` names (entra-facts §8.3)."""

    NOT_SET = "notSet"
    NOT_ENOUGH_INFORMATION = "notEnoughInformation"
    INVALID_CONDITION = "invalidCondition"
    USERS = "users"
    WORKLOAD_IDENTITIES = "workloadIdentities"
    APPLICATION = "application"
    USER_ACTIONS = "userActions"
    AUTHENTICATION_CONTEXT = "authenticationContext"
    DEVICE_PLATFORM = "devicePlatform"
    DEVICES = "devices"
    CLIENT_APPS = "clientApps"
    LOCATION = "location"
    SIGN_IN_RISK = "signInRisk"
    EMPTY_POLICY = "emptyPolicy"
    INVALID_POLICY = "invalidPolicy"
    POLICY_NOT_ENABLED = "policyNotEnabled"
    USER_RISK = "userRisk"
    TIME = "time"
    INSIDER_RISK = "insiderRisk"
    AUTHENTICATION_FLOW = "authenticationFlow"



class PolicyResultName(StrEnum):
    """Sign-in log ``appliedConditionalAccessPolicyResult`` names (entra-facts §3.12)."""

    SUCCESS = "success"
    FAILURE = "failure"
    NOT_APPLIED = "notApplied"
    NOT_ENABLED = "notEnabled"
    REPORT_ONLY_SUCCESS = "reportOnlySuccess"
    REPORT_ONLY_FAILURE = "reportOnlyFailure"
    REPORT_ONLY_INTERRUPTED = "reportOnlyInterrupted"
    REPORT_ONLY_NOT_APPLIED = "reportOnlyNotApplied"



class ControlKind(StrEnum):
    """What a requirement asks for, in Entra's prompt order (entra-facts §6.1)."""

    BLOCK = "block"
    REAUTHENTICATION = "reauthentication"
    MFA = "mfa"
    AUTHENTICATION_STRENGTH = "authenticationStrength"
    COMPLIANT_DEVICE = "compliantDevice"
    DOMAIN_JOINED_DEVICE = "domainJoinedDevice"
    APPROVED_APPLICATION = "approvedApplication"
    COMPLIANT_APPLICATION = "compliantApplication"
    PASSWORD_CHANGE = "passwordChange"
    TERMS_OF_USE = "termsOfUse"
    CUSTOM_CONTROL = "customControl"
    UNKNOWN_CONTROL = "unknownControl"


    @property
    def prompt_rank(self) -> int:
        """Position in Entra's prompt order: MFA, compliant device, hybrid join,
        approved app, app protection, password change, terms of use, custom."""
        return _PROMPT_RANK[self]

    @property
    def is_interactive(self) -> bool:
        """Whether a prompt can satisfy it (MFA, strength, sign-in again, password
        change, terms of use, custom control)."""
        return self in _INTERACTIVE


_PROMPT_RANK = {
    ControlKind.BLOCK: -1,
    ControlKind.REAUTHENTICATION: 0,
    ControlKind.MFA: 0,
    ControlKind.AUTHENTICATION_STRENGTH: 0,
    ControlKind.COMPLIANT_DEVICE: 1,
    ControlKind.DOMAIN_JOINED_DEVICE: 2,
    ControlKind.APPROVED_APPLICATION: 3,
    ControlKind.COMPLIANT_APPLICATION: 4,
    ControlKind.PASSWORD_CHANGE: 5,
    ControlKind.TERMS_OF_USE: 6,
    ControlKind.CUSTOM_CONTROL: 7,
    ControlKind.UNKNOWN_CONTROL: 8,
}
_INTERACTIVE = frozenset({
    ControlKind.REAUTHENTICATION, ControlKind.MFA, ControlKind.AUTHENTICATION_STRENGTH,
    ControlKind.PASSWORD_CHANGE, ControlKind.TERMS_OF_USE, ControlKind.CUSTOM_CONTROL,
})


@attrs.frozen(kw_only=True, order=False)
class Control:
    """One control: its kind and, where it has one, the id it names (strength id,
    terms-of-use id, custom control id, unknown control name, SIF window).

    For MFA and authentication strengths, ``combinations`` lists the method
    combinations that satisfy it and ``fido2_aaguids`` the passkey models allowed
    (empty: any), so a client or a simulation knows what would do.
    """

    kind: ControlKind
    detail: str | None = None
    message: str = ""
    combinations: tuple[tuple[str, ...], ...] = attrs.field(default=(), repr=False)
    fido2_aaguids: tuple[str, ...] = attrs.field(default=(), repr=False)

    @property
    def is_interactive(self) -> bool:
        """Whether a prompt can satisfy this control."""
        return self.kind.is_interactive

    def sort_key(self) -> tuple[int, str, str]:
        """Prompt order, then by name."""
        return (self.kind.prompt_rank, self.kind.value, self.detail or "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind.value, "detail": self.detail, "message": self.message}


@attrs.frozen(kw_only=True)
class Requirement:
    """What one policy still needs: satisfy *any* control in ``any_of``.

    An ``AND`` policy gives one requirement per unmet control; an ``OR`` policy one
    requirement whose options are its controls.
    """

    policy_id: str
    any_of: tuple[Control, ...]

    @property
    def is_interactive(self) -> bool:
        """Whether some option can be satisfied by a prompt."""
        return any(c.is_interactive for c in self.any_of)

    def sort_key(self) -> tuple[tuple[int, str, str], str]:
        """Prompt order of the first option, then policy id."""
        return (self.any_of[0].sort_key(), self.policy_id)

    def describe(self) -> str:
        """Human text: ``MFA or compliant device (policy p1)``."""
        return " or ".join(c.message or c.kind.value for c in self.any_of) + \
            f" (policy {self.policy_id})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"policyId": self.policy_id, "anyOf": [c.to_dict() for c in self.any_of]}


DEFAULT_AUTHORIZATION_URI = "https://login.microsoftonline.com/common/oauth2/authorize"


@attrs.frozen(kw_only=True)
class Challenge:
    """A step-up the user can do: the auth contexts to request and what will be asked.

    ``claims`` is the minified OIDC claims request for the contexts, ``claims_base64``
    its standard base64 for the ``WWW-Authenticate`` header (entra-facts §2.2), and
    :attr:`msal_claims_challenge` the decoded JSON MSAL's ``claims_challenge`` takes
    (entra-facts §2.4). A sign-in challenge (no auth context) has no claims.
    """

    acrs: tuple[str, ...]
    requirements: tuple[Requirement, ...]

    @property
    def claims(self) -> str | None:
        """``{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`` (minified)."""
        if not self.acrs:
            return None
        acrs: dict[str, Any] = {"essential": True}
        if len(self.acrs) == 1:
            acrs["value"] = self.acrs[0]
        else:
            acrs["values"] = list(self.acrs)
        return json.dumps({"access_token": {"acrs": acrs}}, separators=(",", ":"))

    @property
    def claims_base64(self) -> str | None:
        """Standard base64 of the UTF-8 claims JSON."""
        claims = self.claims
        return None if claims is None else base64.b64encode(claims.encode()).decode("ascii")

    @property
    def msal_claims_challenge(self) -> str | None:
        """The decoded JSON string for MSAL's ``claims_challenge=`` argument."""
        return self.claims

    def www_authenticate(self, *, authorization_uri: str = DEFAULT_AUTHORIZATION_URI,
                         realm: str = "", client_id: str | None = None) -> str:
        """The ``WWW-Authenticate`` header value for the 401 response.

        >>> c = Challenge(acrs=("c1",), requirements=())
        >>> print(c.www_authenticate())  # doctest: +NORMALIZE_WHITESPACE
        Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize",
        error="insufficient_claims",
        claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"

        ``client_id`` adds the developer guide's ``client_id`` and
        ``cc_type="authcontext"`` parameters.

        A challenge of :func:`~protected_actions.evaluate_sign_in` has no auth context,
        and a claims challenge (``error="insufficient_claims"``) must carry the
        ``claims`` to request, so there is no such header: Microsoft Entra ID
        enforces a sign-in's policies itself when the client signs in interactively.
        That raises :class:`~protected_actions.InvalidModelError` (field
        ``Challenge.acrs``).
        """
        if self.claims_base64 is None:
            raise InvalidModelError(
                "Challenge.acrs", "an auth context to request: a sign-in challenge has no "
                "claims challenge header (Microsoft Entra ID prompts at the interactive "
                "sign-in itself)", self.acrs)
        parts = [f'Bearer realm="{realm}"', f'authorization_uri="{authorization_uri}"']
        if client_id is not None:
            parts += [f'client_id="{client_id}"', 'cc_type="authcontext"']
        parts += ['error="insufficient_claims"', f'claims="{self.claims_base64}"']
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "acrs": list(self.acrs),
            "claims": self.claims,
            "claimsBase64": self.claims_base64,
            "requirements": [r.to_dict() for r in self.requirements],
        }


@attrs.frozen(kw_only=True)
class Reason:
    """Why the outcome is what it is: a stable code, a message, the policy if any."""

    code: ReasonCode
    message: str
    policy_id: str | None = None

    def sort_key(self) -> tuple[str, str, str]:
        """Deterministic order."""
        return (self.code.value, self.policy_id or "", self.message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"code": self.code.value, "message": self.message, "policyId": self.policy_id}


@attrs.frozen(kw_only=True)
class PolicyResult:
    """One policy's part in a decision.

    ``applies`` is ``True`` when every condition matched or could not be decided
    (``analysis_reasons`` then holds ``notEnoughInformation``); when ``False``,
    ``analysis_reasons`` names the first condition that did not match, as Graph's
    what-if does. ``result`` uses the sign-in log vocabulary. ``details`` are the
    concrete facts that decided each condition (``IP 203.0.113.7 is in 'HQ'``).
    """

    policy_id: str
    display_name: str
    state: str
    enforced: bool
    applies: bool
    result: PolicyResultName
    analysis_reasons: tuple[str, ...] = ()
    satisfied: tuple[str, ...] = ()
    unmet: tuple[Requirement, ...] = ()
    blocked: bool = False
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "policyId": self.policy_id,
            "displayName": self.display_name,
            "state": self.state,
            "enforced": self.enforced,
            "applies": self.applies,
            "result": self.result.value,
            "analysisReasons": list(self.analysis_reasons),
            "satisfied": list(self.satisfied),
            "unmet": [r.to_dict() for r in self.unmet],
            "blocked": self.blocked,
            "details": list(self.details),
        }


class PolicyVerdict(NamedTuple):
    """One policy's sign-in log result word, and whether it rests on a fact the
    session lacks: a :class:`PolicyResult` without its explanation.

    ``undetermined`` is ``True`` exactly when the policy applies and some condition
    could not be decided (its :attr:`PolicyResult.analysis_reasons` is
    ``("notEnoughInformation",)``).
    """

    policy_id: str
    result: PolicyResultName
    undetermined: bool

    @classmethod
    def of(cls, result: PolicyResult) -> PolicyVerdict:
        """The verdict a full :class:`PolicyResult` gives."""
        return cls(result.policy_id, result.result,
                   AnalysisReason.NOT_ENOUGH_INFORMATION.value in result.analysis_reasons)


class _LazyTrace:
    """The per-policy trace, computed once on first access; compares by value.

    ``verdicts`` (optional) computes the trace's :class:`PolicyVerdict` s from the
    same arguments without building the explanations; without it they are read
    from the trace."""

    __slots__ = ("_args", "_build", "_value", "_verdicts", "_verdicts_value")

    def __init__(self, build: Callable[..., tuple[PolicyResult, ...]],
                 args: tuple[Any, ...] = (),
                 verdicts: Callable[..., tuple[PolicyVerdict, ...]] | None = None) -> None:
        self._build: Callable[..., tuple[PolicyResult, ...]] | None = build
        self._args = args
        self._value: tuple[PolicyResult, ...] | None = None
        self._verdicts = verdicts
        self._verdicts_value: tuple[PolicyVerdict, ...] | None = None

    def get(self) -> tuple[PolicyResult, ...]:
        if self._value is None:
            assert self._build is not None
            self._value = self._build(*self._args)
            # The verdicts, if not read yet, come from the trace from now on.
            self._build, self._args, self._verdicts = None, (), None
        return self._value

    def verdicts(self) -> tuple[PolicyVerdict, ...]:
        if self._verdicts_value is None:
            if self._value is None and self._verdicts is not None:
                self._verdicts_value = self._verdicts(*self._args)
            else:
                of = PolicyVerdict.of
                self._verdicts_value = tuple(of(r) for r in self.get())
        return self._verdicts_value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _LazyTrace):
            return NotImplemented
        return self.get() == other.get()

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return "<trace>" if self._value is None else repr(self._value)


def _eager(results: tuple[PolicyResult, ...]) -> _LazyTrace:
    trace = _LazyTrace(lambda: results)
    trace.get()
    return trace


@attrs.frozen(kw_only=True)
class Decision:
    """The evaluator's answer for one request.

    ``target`` is the permission (``evaluate``) or application / user action
    (``evaluate_sign_in``); ``context_id`` the auth context protecting the permission.
    ``complete`` is ``False`` when some condition could not be decided from the
    session (the decision is then the fail-closed one).
    """

    outcome: Outcome
    reasons: tuple[Reason, ...]
    target: str
    user_id: str
    context_id: str | None = None
    challenge: Challenge | None = None
    complete: bool = True
    trace: _LazyTrace = attrs.field(default=attrs.Factory(lambda: _eager(())), repr=False)

    @property
    def policies(self) -> tuple[PolicyResult, ...]:
        """One :class:`PolicyResult` per policy of the tenant, sorted by policy id."""
        return self.trace.get()

    @property
    def verdicts(self) -> tuple[PolicyVerdict, ...]:
        """One :class:`PolicyVerdict` per policy of the tenant, sorted by policy id:
        each policy's result word and whether it is undetermined, exactly as
        :attr:`policies` gives them, computed without building explanations (what a
        sign-in log replay compares, at a fraction of the cost of the full trace).

        >>> import protected_actions as pa
        >>> from protected_actions import samples
        >>> tenant = samples.sample_tenant()
        >>> session = samples.sample_session("alice-password-push")
        >>> decision = pa.evaluate(tenant, session,
        ...                        "microsoft.directory/conditionalAccessPolicies/create")
        >>> decision.verdicts == tuple(pa.PolicyVerdict.of(p) for p in decision.policies)
        True
        """
        return self.trace.verdicts()

    @property
    def report_only(self) -> tuple[PolicyResult, ...]:
        """Results of report-only policies (evaluated, never enforced)."""
        return tuple(p for p in self.policies if p.state == "enabledForReportingButNotEnforced")

    @property
    def allowed(self) -> bool:
        """``outcome is Outcome.ALLOW``."""
        return self.outcome is Outcome.ALLOW

    @property
    def challenged(self) -> bool:
        """``outcome is Outcome.CHALLENGE``."""
        return self.outcome is Outcome.CHALLENGE

    @property
    def denied(self) -> bool:
        """``outcome is Outcome.DENY``."""
        return self.outcome is Outcome.DENY

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    def explain(self, *, verbose: bool = False) -> str:
        """A human-readable, multi-line explanation; ``verbose`` also lists the
        policies that did not apply, with the condition that ruled each out."""
        from .explain import render_text

        return render_text(self, verbose=verbose)

    def _repr_html_(self) -> str | None:
        """HTML for notebooks: outcome, reasons, challenge and policies."""
        return html_for(self)

    def to_dict(self) -> dict[str, Any]:
        """The decision log entry: JSON-ready, deterministic."""
        return {
            "outcome": self.outcome.value,
            "target": self.target,
            "userId": self.user_id,
            "contextId": self.context_id,
            "complete": self.complete,
            "reasons": [r.to_dict() for r in self.reasons],
            "challenge": None if self.challenge is None else self.challenge.to_dict(),
            "policies": [p.to_dict() for p in self.policies],
        }


_new_object = object.__new__
_RESULT_SLOTS = tuple(getattr(PolicyResult, a.name).__set__ for a in attrs.fields(PolicyResult))


def _policy_result(policy_id: str, display_name: str, state: str, enforced: bool,
                   applies: bool, result: PolicyResultName, analysis_reasons: tuple[str, ...],
                   satisfied: tuple[str, ...], unmet: tuple[Requirement, ...], blocked: bool,
                   details: tuple[str, ...]) -> PolicyResult:
    """``PolicyResult(...)`` for the trace's hot path: the same object, built by
    setting its slots in field order without keyword parsing. ``PolicyResult`` has
    no validators or converters to skip (a test keeps it so)."""
    made: PolicyResult = _new_object(PolicyResult)
    (set_id, set_name, set_state, set_enforced, set_applies, set_result, set_reasons,
     set_satisfied, set_unmet, set_blocked, set_details) = _RESULT_SLOTS
    set_id(made, policy_id)
    set_name(made, display_name)
    set_state(made, state)
    set_enforced(made, enforced)
    set_applies(made, applies)
    set_result(made, result)
    set_reasons(made, analysis_reasons)
    set_satisfied(made, satisfied)
    set_unmet(made, unmet)
    set_blocked(made, blocked)
    set_details(made, details)
    return made


_DECISION_SLOTS = tuple(getattr(Decision, a.name).__set__ for a in attrs.fields(Decision))


def _decision(outcome: Outcome, reasons: tuple[Reason, ...], target: str, user_id: str,
              context_id: str | None, challenge: Challenge | None, complete: bool,
              trace: _LazyTrace) -> Decision:
    """``Decision(...)`` for the evaluator's hot path: the same object, built by
    setting its slots in field order without keyword parsing. ``Decision`` has no
    validators or converters to skip (a test keeps it so)."""
    decision: Decision = _new_object(Decision)
    (set_outcome, set_reasons, set_target, set_user, set_context, set_challenge,
     set_complete, set_trace) = _DECISION_SLOTS
    set_outcome(decision, outcome)
    set_reasons(decision, reasons)
    set_target(decision, target)
    set_user(decision, user_id)
    set_context(decision, context_id)
    set_challenge(decision, challenge)
    set_complete(decision, complete)
    set_trace(decision, trace)
    return decision
