"""The performance-anchors workload, generated from a seed.

One generator feeds every engine the benchmarks compare
(``docs/performance.md``; the shape is the one the performance anchors describe):

* a directory of 2,000 users plus 2 break-glass accounts, 60 groups with
  Zipf-like popularity (0-10 groups per user, mean about 3.7) and 6 built-in
  directory roles with their real template ids (0-2 roles per user, mean about
  1.08; about 75 % of users hold a role that grants the benchmarked permission);
* 6 protected permissions mapped to the auth contexts c1..c3 (the benchmarked one
  is ``microsoft.directory/conditionalAccessPolicies/create`` on c1), or, for the
  "issue shape", all 19 protectable permissions over c1..c5;
* one seeded stream of 240 Conditional Access policies; ``tenant(n)`` takes the
  first ``n``, so every size is a prefix of the larger ones;
* 10,000 requests, identical for every policy count and every engine.

It produces the library's own objects (:meth:`Workload.tenant`,
:meth:`Workload.sessions`) and a neutral, Graph-shaped plain-dict form
(:meth:`Workload.bundle`, :meth:`Workload.request_dicts`) for the other engines.
The two forms are built from the same specs, never from each other.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import protected_actions as pa

__all__ = [
    "ANCHOR_SIZES",
    "APPLICATIONS",
    "BENCHMARKED_ACTION",
    "CONTEXTS",
    "DEFAULT_SEED",
    "MAX_POLICIES",
    "NOW",
    "PolicySpec",
    "RequestSpec",
    "Workload",
    "generate",
    "session_from_request",
]

JSON = dict[str, Any]
"""A Graph-shaped (camelCase) plain dict."""

DEFAULT_SEED = 3959
"""Picked, among seeds 0-7999, as the one whose stream comes closest to the anchors'
published per-prefix policy counts and allow / challenge / deny mix."""
MAX_POLICIES = 240
"""Length of the policy stream (Entra's per-tenant limit)."""
ANCHOR_SIZES = (10, 50, 195, 240)
"""The policy counts the anchors and the benchmarks report."""
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
"""Every request is evaluated at this instant."""
CONTEXTS = ("c1", "c2", "c3", "c4", "c5")
"""The auth contexts the policies target."""
APPLICATIONS = (
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",  # Windows Azure Service Management API
    "00000003-0000-0000-c000-000000000000",  # Microsoft Graph
    "00000002-0000-0ff1-ce00-000000000000",  # Office 365 Exchange Online
    "00000003-0000-0ff1-ce00-000000000000",  # Office 365 SharePoint Online
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",  # Azure portal / Entra admin center
)
"""One application per context, for the sign-in variant (``target="application"``)."""

_NAMESPACE = "microsoft.directory/"
BENCHMARKED_ACTION = _NAMESPACE + "conditionalAccessPolicies/create"
"""The permission every anchors request asks for (protected by c1)."""

_ANCHOR_PROTECTED = {
    BENCHMARKED_ACTION: "c1",
    _NAMESPACE + "conditionalAccessPolicies/basic/update": "c1",
    _NAMESPACE + "conditionalAccessPolicies/delete": "c1",
    _NAMESPACE + "namedLocations/create": "c2",
    _NAMESPACE + "namedLocations/basic/update": "c2",
    _NAMESPACE + "deletedItems/delete": "c3",
}

N_USERS = 2_000
N_GROUPS = 60
ZIPF_EXPONENT = 1.0
MAX_GROUPS_PER_USER = 10
MEAN_GROUPS_PER_USER = 3.7


def _role(template_id: str, name: str) -> pa.RoleDefinition:
    """A built-in role the library does not define: no protectable permission."""
    return pa.RoleDefinition(id=template_id, template_id=template_id, display_name=name,
                             permissions=frozenset(), is_built_in=True)


SECURITY_READER = _role("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader")
USER_ADMINISTRATOR = _role("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator")
HELPDESK_ADMINISTRATOR = _role("729827e3-9c14-49f7-bb1b-9608f156bbb8",
                               "Helpdesk Administrator")
EXTRA_ROLES = (SECURITY_READER, USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR)
"""Roles the tenant adds to the library's built-ins."""
ROLES = (pa.GLOBAL_ADMINISTRATOR, pa.CONDITIONAL_ACCESS_ADMINISTRATOR,
         pa.SECURITY_ADMINISTRATOR, *EXTRA_ROLES)
"""The six directory roles of the workload."""

# Users with at least one role: the first is a granting role with this probability
# (0.9 * 5/6 = 75 % of users); a second role, if any, never grants.
_ROLE_COUNT_WEIGHTS = ((0, 0.10), (1, 0.72), (2, 0.18))  # mean 1.08
_P_GRANTING_FIRST_ROLE = 0.75 / 0.90
_GRANTING_WEIGHTS = ((pa.GLOBAL_ADMINISTRATOR.id, 0.25),
                     (pa.CONDITIONAL_ACCESS_ADMINISTRATOR.id, 0.40),
                     (pa.SECURITY_ADMINISTRATOR.id, 0.35))
_OTHER_WEIGHTS = ((SECURITY_READER.id, 0.40), (USER_ADMINISTRATOR.id, 0.30),
                  (HELPDESK_ADMINISTRATOR.id, 0.30))

_STATE_WEIGHTS = (("enabled", 0.70), ("enabledForReportingButNotEnforced", 0.20),
                  ("disabled", 0.10))
_REQUIREMENT_WEIGHTS = (("mfa", 0.40), ("strength", 0.25), ("compliantDevice", 0.20),
                        ("block", 0.15))
_P_ALL_USERS = 0.30  # of the policies that do not block
_P_EXCLUDE_GROUP = 0.35
_P_SIGN_IN_FREQUENCY = 0.30  # of the mfa / strength policies
_SIGN_IN_FREQUENCY_HOURS = (1, 4, 12)

_METHOD_WEIGHTS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("password",), 18),
    (("password", "microsoftAuthenticatorPush"), 22),
    (("password", "sms"), 10),
    (("password", "softwareOath"), 7),
    (("password", "voice"), 2),
    (("password", "hardwareOath"), 2),
    (("password", "x509CertificateSingleFactor"), 2),
    (("x509CertificateSingleFactor",), 3),
    (("deviceBasedPush",), 4),
    (("windowsHelloForBusiness",), 14),
    (("fido2",), 10),
    (("x509CertificateMultiFactor",), 6),
)
_P_BREAK_GLASS = 0.01
_P_COMPLIANT = 0.60
_AGE_BANDS = ((0.45, 0, 600), (0.35, 600, 7_200), (0.20, 7_200, 86_400))  # seconds


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """One policy of the stream, before it becomes a model or a Graph dict."""

    id: str
    display_name: str
    state: str  # Graph conditionalAccessPolicyState
    context: str  # c1..c5
    requirement: str  # "mfa" | "strength" | "compliantDevice" | "block"
    include_all_users: bool
    include_group: str | None
    exclude_users: tuple[str, ...]
    exclude_group: str | None
    sign_in_frequency_hours: int | None

    @property
    def enforced(self) -> bool:
        """Whether the policy is enabled (report-only and disabled never count)."""
        return self.state == "enabled"


@dataclass(frozen=True, slots=True)
class UserSpec:
    """A directory user: groups and active roles."""

    id: str
    groups: tuple[str, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One request: who, which permission, and the session's evidence."""

    user_id: str
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    action: str
    methods: frozenset[str]
    device_compliant: bool
    seconds_since_auth: int


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    return rng.choices(values, weights)[0]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _sample_groups(rng: random.Random, groups: Sequence[str], weights: Sequence[float],
                   k: int) -> tuple[str, ...]:
    chosen: list[str] = []
    while len(chosen) < k:
        group = rng.choices(groups, weights)[0]
        if group not in chosen:
            chosen.append(group)
    return tuple(chosen)


def _roles(rng: random.Random) -> tuple[str, ...]:
    count: int = _weighted(rng, _ROLE_COUNT_WEIGHTS)
    if count == 0:
        return ()
    first: str = _weighted(rng, _GRANTING_WEIGHTS if rng.random() < _P_GRANTING_FIRST_ROLE
                           else _OTHER_WEIGHTS)
    if count == 1:
        return (first,)
    second: str = _weighted(rng, [(r, w) for r, w in _OTHER_WEIGHTS if r != first])
    return (first, second)


def _policy(rng: random.Random, index: int, context: str, groups: Sequence[str],
            weights: Sequence[float], break_glass: Sequence[str]) -> PolicySpec:
    state: str = _weighted(rng, _STATE_WEIGHTS)
    requirement: str = _weighted(rng, _REQUIREMENT_WEIGHTS)
    all_users = requirement != "block" and rng.random() < _P_ALL_USERS
    include_group = None if all_users else rng.choices(groups, weights)[0]
    excluded = tuple(sorted(rng.sample(list(break_glass), rng.choice((1, 2)))))
    exclude_group = None
    if rng.random() < _P_EXCLUDE_GROUP:
        exclude_group = rng.choices([g for g in groups if g != include_group],
                                    [w for g, w in zip(groups, weights, strict=True)
                                     if g != include_group])[0]
    frequency = None
    if requirement in ("mfa", "strength") and rng.random() < _P_SIGN_IN_FREQUENCY:
        frequency = rng.choice(_SIGN_IN_FREQUENCY_HOURS)
    return PolicySpec(
        id=_guid(rng), display_name=f"CA{index + 1:03d} {requirement} on {context}",
        state=state, context=context, requirement=requirement, include_all_users=all_users,
        include_group=include_group, exclude_users=excluded, exclude_group=exclude_group,
        sign_in_frequency_hours=frequency)


def _policy_stream(rng: random.Random, groups: Sequence[str], weights: Sequence[float],
                   break_glass: Sequence[str]) -> tuple[PolicySpec, ...]:
    out: list[PolicySpec] = []
    block: list[str] = []
    for i in range(MAX_POLICIES):
        if not block:  # contexts dealt in shuffled blocks of five
            block = list(CONTEXTS)
            rng.shuffle(block)
        out.append(_policy(rng, i, block.pop(), groups, weights, break_glass))
    return tuple(out)


def _request(rng: random.Random, users: Sequence[UserSpec], break_glass: Sequence[UserSpec],
             actions: Sequence[str]) -> RequestSpec:
    user = rng.choice(break_glass) if rng.random() < _P_BREAK_GLASS else rng.choice(users)
    methods: tuple[str, ...] = _weighted(rng, _METHOD_WEIGHTS)
    band = _weighted(rng, [((lo, hi), p) for p, lo, hi in _AGE_BANDS])
    return RequestSpec(
        user_id=user.id, groups=user.groups, roles=user.roles,
        action=actions[0] if len(actions) == 1 else rng.choice(actions),
        methods=frozenset(methods), device_compliant=rng.random() < _P_COMPLIANT,
        seconds_since_auth=rng.randrange(band[0], band[1]))


def generate(*, seed: int = DEFAULT_SEED, requests: int = 10_000,
             shape: Literal["anchors", "issue"] = "anchors") -> Workload:
    """Build the workload.

    :param seed: every random choice derives from it (directory, policies and
        requests each draw from their own stream, so changing the request count
        leaves the directory and the policies unchanged).
    :param requests: how many requests to generate (the anchors use 10,000).
    :param shape: ``"anchors"``: 6 protected permissions on c1..c3, every request
        for :data:`BENCHMARKED_ACTION`; ``"issue"``: all 19 protectable permissions
        spread over c1..c5 (the anchors' 6 keep their contexts), each request for
        one of them at random.
    """
    directory_rng = random.Random(f"{seed}:directory")
    groups = tuple(_guid(directory_rng) for _ in range(N_GROUPS))
    weights = tuple(1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(N_GROUPS))
    users = tuple(UserSpec(
        id=_guid(directory_rng),
        groups=_sample_groups(directory_rng, groups, weights,
                              min(MAX_GROUPS_PER_USER,
                                  _poisson(directory_rng, MEAN_GROUPS_PER_USER))),
        roles=_roles(directory_rng)) for _ in range(N_USERS))
    break_glass = tuple(UserSpec(id=_guid(directory_rng), groups=(),
                                 roles=(pa.GLOBAL_ADMINISTRATOR.id,)) for _ in range(2))
    policies = _policy_stream(random.Random(f"{seed}:policies"), groups, weights,
                              [u.id for u in break_glass])
    protected = dict(_ANCHOR_PROTECTED)
    if shape == "issue":
        rest = sorted(p.value for p in pa.PROTECTABLE_PERMISSIONS
                      if p.value not in protected)
        protected.update({p: CONTEXTS[i % len(CONTEXTS)] for i, p in enumerate(rest)})
    actions = [BENCHMARKED_ACTION] if shape == "anchors" else sorted(protected)
    request_rng = random.Random(f"{seed}:requests")
    stream = tuple(_request(request_rng, users, break_glass, actions)
                   for _ in range(requests))
    return Workload(seed=seed, shape=shape, groups=groups, users=users,
                    break_glass=break_glass, policies=policies, protected=protected,
                    requests=stream)


@dataclass(frozen=True)
class Workload:
    """The generated workload (see :func:`generate`)."""

    seed: int
    shape: str
    groups: tuple[str, ...]  # most popular first
    users: tuple[UserSpec, ...]
    break_glass: tuple[UserSpec, ...]
    policies: tuple[PolicySpec, ...]  # the whole stream; size n takes the first n
    protected: Mapping[str, str]  # permission -> auth context
    requests: tuple[RequestSpec, ...]

    # -- the library's objects -------------------------------------------------

    def tenant(self, n: int, *, target: Literal["context", "application"] = "context",
               directory: bool = True) -> pa.Tenant:
        """A fresh (not yet compiled) tenant with the first ``n`` policies.

        :param target: ``"application"`` makes every policy target the application
            :data:`APPLICATIONS` pairs with its context, for ``evaluate_sign_in``.
        :param directory: include the users, groups and role assignments (the
            sessions carry the same facts, as a token's ``groups``/``wids`` would).
        """
        everyone = (*self.users, *self.break_glass) if directory else ()
        return pa.Tenant(
            policies=[_model_policy(p, target) for p in self.policies[:_size(n)]],
            auth_contexts=[pa.AuthContext(id=c, display_name=f"Context {c}",
                                          is_available=True) for c in CONTEXTS],
            protected_actions=[pa.ProtectedAction(permission=p, context_id=c)
                               for p, c in sorted(self.protected.items())],
            role_definitions=EXTRA_ROLES,
            role_assignments=[pa.RoleAssignment(principal_id=u.id, role_definition_id=r)
                              for u in everyone for r in u.roles],
            users=[pa.User(id=u.id, member_of=u.groups) for u in everyone],
            groups=[pa.Group(id=g, display_name=f"Group {i + 1:02d}")
                    for i, g in enumerate(self.groups)] if directory else (),
            emergency_access_accounts=[u.id for u in self.break_glass],
        )

    def sessions(self) -> list[pa.SessionState]:
        """One :class:`~protected_actions.SessionState` per request, in order."""
        return [_session(r) for r in self.requests]

    # -- the neutral form --------------------------------------------------------

    def bundle(self, n: int) -> JSON:
        """The tenant as Graph-shaped plain data (DESIGN §5 bundle keys), first ``n``
        policies."""
        strengths = (pa.MFA_STRENGTH, pa.PHISHING_RESISTANT_MFA_STRENGTH)
        return {
            "conditionalAccessPolicies": [_graph_policy(p) for p in self.policies[:_size(n)]],
            "authenticationContextClassReferences": [
                {"id": c, "displayName": f"Context {c}", "isAvailable": True}
                for c in CONTEXTS],
            "authenticationStrengthPolicies": [_graph_strength(s) for s in strengths],
            "resourceActions": [{"name": p, "authenticationContextId": c}
                                for p, c in sorted(self.protected.items())],
            "roleDefinitions": [_graph_role(r) for r in ROLES],
            "groups": [{"id": g, "displayName": f"Group {i + 1:02d}"}
                       for i, g in enumerate(self.groups)],
            "users": [{"id": u.id, "memberOf": list(u.groups)}
                      for u in (*self.users, *self.break_glass)],
            "roleAssignments": [{"principalId": u.id, "roleDefinitionId": r,
                                 "directoryScopeId": "/"}
                                for u in (*self.users, *self.break_glass) for r in u.roles],
            "emergencyAccessAccounts": [u.id for u in self.break_glass],
        }

    def request_dicts(self) -> list[JSON]:
        """The requests as plain dicts: ``{"principal": {"id", "groups", "roles"},
        "action", "session": {"authMethods", "deviceCompliant", "secondsSinceAuth"}}``."""
        return [{"principal": {"id": r.user_id, "groups": list(r.groups),
                               "roles": list(r.roles)},
                 "action": r.action,
                 "session": {"authMethods": r.methods, "deviceCompliant": r.device_compliant,
                             "secondsSinceAuth": r.seconds_since_auth}}
                for r in self.requests]

    # -- description -------------------------------------------------------------

    def describe(self, n: int) -> str:
        """One line on the first ``n`` policies: enforced, and enforced on c1 by kind."""
        head = self.policies[:_size(n)]
        enforced = [p for p in head if p.enforced]
        on_c1 = [p for p in enforced if p.context == "c1"]
        kinds = {k: sum(p.requirement == k for p in on_c1)
                 for k in ("mfa", "strength", "compliantDevice", "block")}
        return (f"N={n}: {len(enforced)} enforced, {len(on_c1)} on c1 ("
                + ", ".join(f"{v} {k}" for k, v in kinds.items())
                + f"; {sum(p.include_all_users for p in on_c1)} all users, "
                f"{sum(p.sign_in_frequency_hours is not None for p in on_c1)} "
                "sign-in frequency)")

    def describe_directory(self) -> str:
        """One line on the directory and the request mix."""
        users = self.users
        mean_groups = sum(len(u.groups) for u in users) / len(users)
        mean_roles = sum(len(u.roles) for u in users) / len(users)
        granting = {pa.GLOBAL_ADMINISTRATOR.id, pa.CONDITIONAL_ACCESS_ADMINISTRATOR.id,
                    pa.SECURITY_ADMINISTRATOR.id}
        reqs = self.requests

        def share(pred: Callable[[RequestSpec], bool]) -> float:
            return 100.0 * sum(map(pred, reqs)) / max(1, len(reqs))

        return (f"{len(users)} users + {len(self.break_glass)} break-glass, "
                f"{len(self.groups)} groups (mean {mean_groups:.2f} per user), "
                f"{len(ROLES)} roles (mean {mean_roles:.2f} per user); "
                f"{len(reqs)} requests: "
                f"{share(lambda r: bool(granting & set(r.roles))):.1f} % hold a granting "
                f"role, {share(lambda r: r.device_compliant):.1f} % compliant, "
                f"{share(lambda r: r.methods == frozenset({'password'})):.1f} % password "
                "only")


def _size(n: int) -> int:
    if not 0 <= n <= MAX_POLICIES:
        raise ValueError(f"the policy stream has {MAX_POLICIES} policies, not {n}")
    return n


# -- specs -> library models ------------------------------------------------------


def _model_policy(spec: PolicySpec, target: str) -> pa.Policy:
    k = CONTEXTS.index(spec.context)
    apps = (pa.ApplicationConditions(include_authentication_context_class_references=(
        spec.context,)) if target == "context"
        else pa.ApplicationConditions(include_applications=(APPLICATIONS[k],)))
    users = pa.UserConditions(
        include_users=("All",) if spec.include_all_users else (),
        include_groups=(spec.include_group,) if spec.include_group else (),
        exclude_users=spec.exclude_users,
        exclude_groups=(spec.exclude_group,) if spec.exclude_group else ())
    if spec.requirement == "strength":
        grant = pa.GrantControls(operator="OR", authentication_strength=(
            pa.PHISHING_RESISTANT_MFA_STRENGTH.id))
    else:
        grant = pa.GrantControls(operator="OR", built_in_controls=(spec.requirement,))
    session = None
    if spec.sign_in_frequency_hours is not None:
        session = pa.SessionControls(sign_in_frequency=pa.SignInFrequency(
            is_enabled=True, value=spec.sign_in_frequency_hours, type="hours",
            authentication_type="primaryAndSecondaryAuthentication",
            frequency_interval="timeBased"))
    return pa.Policy(id=spec.id, display_name=spec.display_name, state=spec.state,
                     conditions=pa.Conditions(users=users, applications=apps,
                                              client_app_types=("all",)),
                     grant_controls=grant, session_controls=session)


def _session(r: RequestSpec) -> pa.SessionState:
    return pa.SessionState(
        at=NOW,
        user=pa.User(id=r.user_id, member_of=r.groups, roles=r.roles),
        authentications=(pa.Authentication(
            methods=r.methods, at=NOW - timedelta(seconds=r.seconds_since_auth)),),
        device=pa.Device(is_compliant=r.device_compliant))


def session_from_request(request: Mapping[str, Any]) -> pa.SessionState:
    """A :class:`~protected_actions.SessionState` from one neutral request dict (what
    an application does per call with its token claims and session facts)."""
    principal, session = request["principal"], request["session"]
    return pa.SessionState(
        at=NOW,
        user=pa.User(id=principal["id"], member_of=principal["groups"],
                     roles=principal["roles"]),
        authentications=(pa.Authentication(
            methods=session["authMethods"],
            at=NOW - timedelta(seconds=session["secondsSinceAuth"])),),
        device=pa.Device(is_compliant=session["deviceCompliant"]))


# -- specs -> Graph-shaped dicts ----------------------------------------------------


def _graph_strength(strength: pa.AuthenticationStrength) -> JSON:
    return {"id": strength.id, "displayName": strength.display_name,
            "policyType": strength.policy_type,
            "requirementsSatisfied": strength.requirements_satisfied,
            "allowedCombinations": [",".join(c) for c in strength.allowed_combinations]}


def _graph_role(role: pa.RoleDefinition) -> JSON:
    return {"id": role.id, "displayName": role.display_name, "isBuiltIn": True,
            "templateId": role.template_id,
            "rolePermissions": [{"allowedResourceActions":
                                 sorted(p.value for p in role.permissions)}]}


def _graph_policy(spec: PolicySpec) -> JSON:
    grant: JSON = {"operator": "OR", "builtInControls": [], "customAuthenticationFactors": [],
                   "termsOfUse": [], "authenticationStrength": None}
    if spec.requirement == "strength":
        grant["authenticationStrength"] = _graph_strength(pa.PHISHING_RESISTANT_MFA_STRENGTH)
    else:
        grant["builtInControls"] = [spec.requirement]
    session = None
    if spec.sign_in_frequency_hours is not None:
        session = {"signInFrequency": {
            "value": spec.sign_in_frequency_hours, "type": "hours", "isEnabled": True,
            "authenticationType": "primaryAndSecondaryAuthentication",
            "frequencyInterval": "timeBased"}}
    return {
        "id": spec.id, "displayName": spec.display_name, "state": spec.state,
        "conditions": {
            "users": {
                "includeUsers": ["All"] if spec.include_all_users else [],
                "excludeUsers": list(spec.exclude_users),
                "includeGroups": [spec.include_group] if spec.include_group else [],
                "excludeGroups": [spec.exclude_group] if spec.exclude_group else [],
                "includeRoles": [], "excludeRoles": [],
            },
            "applications": {
                "includeApplications": [], "excludeApplications": [],
                "includeUserActions": [],
                "includeAuthenticationContextClassReferences": [spec.context],
            },
            "clientAppTypes": ["all"],
            "platforms": None, "locations": None, "devices": None,
            "signInRiskLevels": [], "userRiskLevels": [],
        },
        "grantControls": grant,
        "sessionControls": session,
    }
