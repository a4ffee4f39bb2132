"""The compiled tenant: everything the evaluator needs, precomputed once.

Policies are normalized into :class:`CompiledPolicy` (lowercased (ASCII) sets, parsed device
filters, resolved strengths, sign-in frequency windows) and indexed by the auth
context and application they target; directory users get their transitive groups
and active/eligible roles precomputed. Nothing here parses or converts at request
time; nothing here decides an outcome (that is :mod:`protected_actions.engine.evaluator`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from protected_actions.device_filter import DeviceFilter, parse_device_filter
from protected_actions.errors import DeviceFilterSyntaxError
from protected_actions.model.applications import GROUP_KEYS, ApplicationGroups
from protected_actions.model.methods import MFA_STRENGTH, AuthenticationStrength
from protected_actions.model.permissions import Permission, RoleDefinition
from protected_actions.model.policy import Filter, GrantControl, Policy, PolicyState
from protected_actions.model.session import User
from protected_actions.model.unrecognised import (
    VOCABULARIES,
    Unrecognised,
    find_unrecognised,
    is_configured,
)
from protected_actions.model.vocabulary import ascii_lower

from ._memo import MemoTable, remember
from .decision import Control, ControlKind, Reason, ReasonCode
from .location_index import LocationIndex

if TYPE_CHECKING:
    from protected_actions.model.tenant import Tenant

__all__ = [
    "CompiledPolicy",
    "CompiledTenant",
    "Directory",
    "DirectoryEntry",
    "MISSING_APPLICATIONS",
    "MISSING_USERS",
    "compile_tenant",
    "compiled",
    "missing_assignments",
]

#: Client app types that can never be prompted (legacy auth; entra-facts §6.1, §6.11).
LEGACY_CLIENT_TYPES = frozenset({"exchangeactivesync", "easunsupported", "other"})
#: The known platform values (entra-facts §3.6), lowercased (ASCII).
KNOWN_PLATFORMS = frozenset({"android", "ios", "windows", "windowsphone", "macos", "linux"})
#: Application groups whose membership the evaluator cannot know from an app id.
APPLICATION_GROUPS = frozenset({"office365", "microsoftadminportals"})
EVERY_TIME_SKEW = timedelta(minutes=5)
"""``everyTime`` sign-in frequency tolerates five minutes of clock skew (entra-facts §6.8)."""

_MFA_COMBINATIONS = tuple((frozenset(c), None) for c in MFA_STRENGTH.allowed_combinations)

_BUILT_IN_CONTROL_KINDS = {
    GrantControl.MFA.value: ControlKind.MFA,
    GrantControl.COMPLIANT_DEVICE.value: ControlKind.COMPLIANT_DEVICE,
    GrantControl.DOMAIN_JOINED_DEVICE.value: ControlKind.DOMAIN_JOINED_DEVICE,
    GrantControl.APPROVED_APPLICATION.value: ControlKind.APPROVED_APPLICATION,
    GrantControl.COMPLIANT_APPLICATION.value: ControlKind.COMPLIANT_APPLICATION,
    GrantControl.PASSWORD_CHANGE.value: ControlKind.PASSWORD_CHANGE,
}
_CONTROL_MESSAGES = {
    ControlKind.MFA: "multifactor authentication",
    ControlKind.COMPLIANT_DEVICE: "a compliant device",
    ControlKind.DOMAIN_JOINED_DEVICE: "a hybrid Entra joined device",
    ControlKind.APPROVED_APPLICATION: "an approved client app",
    ControlKind.COMPLIANT_APPLICATION: "an app protection policy",
    ControlKind.PASSWORD_CHANGE: "a password change",
}


HOT_TABLES = ("actions", "users", "candidates", "targets", "role_keys")
"""The memo tables every request reads, made with the index (the evaluator reads
them without a check)."""


def _fold(values: Iterable[str]) -> frozenset[str]:
    return frozenset(ascii_lower(v) for v in values)


@attrs.frozen(kw_only=True)
class CompiledControl:
    """A grant control ready to check: the public :class:`Control` plus what checks it.

    For MFA and strengths, ``combinations`` holds each allowed combination as a set,
    with the passkey models it allows: ``None`` (any), a set of lowercased (ASCII) AAGUIDs,
    or an empty set when a configuration the session cannot show restricts it.
    """

    control: Control
    strength: AuthenticationStrength | None = None
    combinations: tuple[tuple[frozenset[str], frozenset[str] | None], ...] = ()
    _memo: dict[tuple[frozenset[str], str | None], bool] = attrs.field(
        factory=MemoTable, eq=False, repr=False, alias="memo")

    def allows(self, methods: frozenset[str], fido2_aaguid: str | None) -> bool:
        """Whether an authentication with ``methods`` satisfies this strength control
        (same rule as :meth:`AuthenticationStrength.allows`, precompiled and memoized:
        a pure function of its arguments)."""
        key = (methods, fido2_aaguid)
        known = self._memo.get(key)
        if known is None:
            known = remember(self._memo, key, self._allows(methods, fido2_aaguid), limit=4096)
        return known

    def _allows(self, methods: frozenset[str], fido2_aaguid: str | None) -> bool:
        for combo, aaguids in self.combinations:
            if combo <= methods and (aaguids is None or (
                    fido2_aaguid is not None and ascii_lower(fido2_aaguid) in aaguids)):
                return True
        return False


def _compile_combinations(strength: AuthenticationStrength
                          ) -> tuple[tuple[frozenset[str], frozenset[str] | None], ...]:
    out = []
    for combo in strength.allowed_combinations:
        wanted = frozenset(combo)
        aaguids: frozenset[str] | None = None
        for config in strength.combination_configurations:
            if wanted not in {frozenset(c) for c in config.applies_to_combinations}:
                continue
            allowed = frozenset(ascii_lower(a) for a in config.allowed_aaguids) \
                if config.kind == "fido2" else frozenset()
            aaguids = allowed if aaguids is None else aaguids & allowed
        out.append((wanted, aaguids))
    return tuple(out)


@attrs.frozen(kw_only=True)
class CompiledFilter:
    """A parsed device (or application) filter, or the syntax error that stopped it."""

    mode_exclude: bool
    rule: str
    parsed: DeviceFilter | None
    error: str | None
    mode_known: bool


@attrs.frozen(kw_only=True)
class CompiledPolicy:
    """A policy normalized for evaluation (every value lowercased (ASCII) where Graph is
    case-insensitive, every reference resolved or marked unresolved)."""

    policy: Policy
    id: str
    state: str  # "enabled" | "reportOnly" | "disabled" | "unknown"
    # users
    has_users: bool
    include_all_users: bool
    include_users: frozenset[str]
    exclude_users: frozenset[str]
    include_groups: frozenset[str]  # may hold "all": any group member
    exclude_groups: frozenset[str]
    include_roles: frozenset[str]  # may hold "all": any active role holder
    exclude_roles: frozenset[str]
    include_any_guest: bool
    exclude_any_guest: bool
    include_guest_types: frozenset[str] | None
    include_guest_tenants: frozenset[str] | None  # None = all tenants, UNDECIDABLE: unknown kind
    exclude_guest_types: frozenset[str] | None
    exclude_guest_tenants: frozenset[str] | None
    workload_only: bool
    # targets
    include_all_apps: bool
    include_apps: frozenset[str]
    exclude_apps: frozenset[str]
    user_actions: frozenset[str]
    contexts: frozenset[str]
    has_application_filter: bool
    # conditions
    client_app_types: frozenset[str] | None
    include_platforms: frozenset[str] | None
    exclude_platforms: frozenset[str]
    include_locations: tuple[str, ...]
    exclude_locations: tuple[str, ...]
    device_filter: CompiledFilter | None
    include_device_states: frozenset[str]
    exclude_device_states: frozenset[str]
    sign_in_risk: frozenset[str] | None
    user_risk: frozenset[str] | None
    insider_risk: frozenset[str] | None
    authentication_flows: frozenset[str] | None
    undecidable: tuple[str, ...]
    empty: bool  # Entra's emptyPolicy: no grant and no session control; never applies
    checks: tuple[str, ...]  # the conditions it configures, beyond users and target
    grant_shape: int = -1  # policies with equal grant controls and window share a number
    # grant and session
    operator_and: bool
    block: bool
    controls: tuple[CompiledControl, ...]
    sign_in_frequency: timedelta | None
    sign_in_frequency_text: str | None
    grants: dict[object, Any] = attrs.field(factory=MemoTable, eq=False, repr=False)
    """The grant's answer per session verdict (see ``engine.grant.remembered_grant``)."""

    @property
    def enforced(self) -> bool:
        """Enforced: ``enabled``, or a state the evaluator does not know (fail-closed)."""
        return self.state in ("enabled", "unknown")

    @cached_property
    def blocked_reason(self) -> Reason:
        """``BLOCKED_BY_POLICY`` for this policy (made once)."""
        return Reason(code=ReasonCode.BLOCKED_BY_POLICY, policy_id=self.id,
                      message=f"blocked by policy {self.policy.display_name!r}")

    @cached_property
    def own_reasons(self) -> bool:
        """Whether the policy, when it applies, adds reasons of its own to a decision
        (an unknown state, a device filter that does not parse)."""
        return self.state == "unknown" or (self.device_filter is not None
                                           and self.device_filter.error is not None)


class ScopedRole(NamedTuple):
    """A role assigned (or eligible) below the tenant: at an administrative unit or
    an object (Graph ``directoryScopeId`` other than ``/``)."""

    role_id: str
    scope: str  # lowercased on ASCII letters
    directory_scope_id: str  # as written
    assignment_id: str | None
    active: bool  # an assignment; False for a PIM eligibility


class DirectoryEntry(NamedTuple):
    """What the directory says about one user, precomputed (a named tuple: one is
    built per user on the user's first request).

    ``active_roles`` and ``eligible_roles`` are tenant-wide (``directoryScopeId``
    ``/``); ``tenant_wide_roles`` the same active roles, which are the ones that
    count for Conditional Access role conditions (entra-facts §6.2). Roles scoped
    to an administrative unit or an object are ``scoped_roles``: they authorize only
    an action on an object in that scope.
    """

    groups: frozenset[str]
    active_roles: frozenset[str]
    tenant_wide_roles: frozenset[str]
    eligible_roles: frozenset[str]
    user_type: str | None
    guest_type: str | None
    home_tenant_id: str | None
    scoped_roles: tuple[ScopedRole, ...] = ()
    listed: bool = True
    """Whether the export lists a user object (``False``: a principal known only from
    its role assignments, whose groups and user type the directory does not say)."""


@attrs.frozen(kw_only=True)
class CompiledTenant:
    """The index the evaluator reads. Built by :func:`compile_tenant`."""

    tenant: Tenant
    policies_by_id: Mapping[str, Policy]
    compiled: tuple[CompiledPolicy, ...]  # sorted by id
    by_context: Mapping[str, tuple[CompiledPolicy, ...]]
    enforced_contexts: frozenset[str]
    all_app_policies: tuple[CompiledPolicy, ...]
    by_app: Mapping[str, tuple[CompiledPolicy, ...]]
    by_user_action: Mapping[str, tuple[CompiledPolicy, ...]]
    contexts_by_permission: Mapping[str, str]
    roles: Mapping[str, RoleDefinition]
    role_template: Mapping[str, str]
    group_parents: Mapping[str, frozenset[str]]
    directory: Mapping[str, DirectoryEntry]
    locations: LocationIndex
    strengths: Mapping[str, AuthenticationStrength]
    enforced_by_context: Mapping[str, tuple[CompiledPolicy, ...]]
    group_roles: Mapping[str, tuple[frozenset[str], frozenset[str], frozenset[str]]]
    """Role-assignable group (lowercased (ASCII)) -> (active, tenant-wide active and
    eligible roles) assigned to it tenant-wide."""
    role_grants: Mapping[str, tuple[frozenset[str], frozenset[str]]]
    applications: ApplicationGroups
    """The shipped application groups as the tenant extends them."""
    registration_variants: Mapping[str, CompiledPolicy]
    """All-resources policies with an authentication strength, as they apply to the
    security-info registration user action when a registration policy's strength is
    preferred (see :func:`registration_variant`), by policy id."""
    undetermined_protection: Mapping[str, str]
    """Permission key -> why its protection is unknown (a ``resourceActions`` entry
    with a property the evaluator cannot read): decided fail-closed."""
    group_scoped_roles: Mapping[str, tuple[ScopedRole, ...]] = attrs.field(factory=dict)
    """Role-assignable group -> the roles assigned to it below the tenant."""
    caches: dict[str, Any] = attrs.field(factory=lambda: {name: MemoTable() for name in HOT_TABLES},
                                         eq=False, repr=False)
    """Memo tables of the evaluator (actions, candidates, users, grant verdicts, role
    keys; see :mod:`protected_actions.engine.plans`): same input, same answer, so results
    never depend on what was asked before."""

    def role_grants_permission(self, role_ids: Iterable[str], permission: Permission) -> bool:
        """Whether one of the roles grants ``permission`` (exact action, or the
        ``allTasks`` wildcard on its entity), from precomputed sets."""
        key = permission.key
        entity = key.split("/", 2)[:2]
        entity_key = "/".join(entity)
        for role in role_ids:
            grants = self.role_grants.get(ascii_lower(role))
            if grants is not None and (key in grants[0] or entity_key in grants[1]):
                return True
        return False

    def roles_granting(self, permission: Permission) -> frozenset[str]:
        """The roles (lowercased (ASCII) keys of :attr:`role_grants`) that grant
        ``permission``: :meth:`role_grants_permission` of a role is whether its
        lowercased id is among them."""
        key = permission.key
        entity_key = "/".join(key.split("/", 2)[:2])
        return frozenset(role for role, (exact, wildcard) in self.role_grants.items()
                         if key in exact or entity_key in wildcard)

    def context_for(self, permission: str | Permission) -> str | None:
        """The auth context protecting a permission, if any."""
        key = permission.key if isinstance(permission, Permission) else ascii_lower(permission)
        return self.contexts_by_permission.get(key)

    def expand_groups(self, groups: Iterable[str]) -> frozenset[str]:
        """The groups plus every group they are (transitively) nested in; cycles end."""
        return nested_closure(groups, self.group_parents)

    def role_keys(self, role_ids: Iterable[str]) -> frozenset[str]:
        """Role ids plus their template ids, lowercased (ASCII) (policies name templates).

        Custom roles are left out: role conditions support built-in directory roles
        only (entra-facts §6.2). An id the tenant does not define is kept (it may be a
        built-in role the library does not list).
        """
        keys = set()
        for role in role_ids:
            definition = self.roles.get(ascii_lower(role))
            if definition is not None and not definition.is_built_in:
                continue
            keys.add(ascii_lower(role))
            template = self.role_template.get(ascii_lower(role))
            if template:
                keys.add(template)
        return frozenset(keys)


def nested_closure(groups: Iterable[str], parents: Mapping[str, frozenset[str]]
                   ) -> frozenset[str]:
    """The groups plus every group they are (transitively) nested in, following
    ``parents``; a cycle ends the walk instead of looping (entra-facts §6.2)."""
    seen: set[str] = set()
    stack = list(groups)
    while stack:
        group = stack.pop()
        if group not in seen:
            seen.add(group)
            stack.extend(parents.get(group, ()))
    return frozenset(seen)


def describe_json(value: object) -> str:
    """``a list``, ``a string``...: the JSON type of a value, for messages."""
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


_STATES = {
    PolicyState.ENABLED.value.lower(): "enabled",
    PolicyState.DISABLED.value.lower(): "disabled",
    PolicyState.REPORT_ONLY.value.lower(): "reportOnly",
}


def _state(value: str) -> str:
    """The policy state, matched case-insensitively; any other value is ``unknown``
    (treated as enforced: fail-closed)."""
    return _STATES.get(ascii_lower(value), "unknown")


def _compile_filter(flt: Filter | None) -> CompiledFilter | None:
    if flt is None:
        return None
    mode = ascii_lower(flt.mode)
    try:
        parsed, error = parse_device_filter(flt.rule), None
    except DeviceFilterSyntaxError as exc:
        parsed, error = None, str(exc)
    known = mode in ("include", "exclude")
    if not known and error is None:
        error = f"mode {flt.mode!r} is not include or exclude"
    return CompiledFilter(mode_exclude=mode == "exclude", rule=flt.rule, parsed=parsed,
                          error=error, mode_known=known)


def _sign_in_frequency(policy: Policy) -> tuple[timedelta | None, str | None]:
    sif = policy.session_controls.sign_in_frequency if policy.session_controls else None
    if sif is None or sif.is_enabled is False:
        return None, None
    if ascii_lower(sif.frequency_interval or "") == "everytime":
        return EVERY_TIME_SKEW, "every time (5 minutes of clock skew)"
    unit = ascii_lower(sif.type or "")
    if sif.value is None or unit not in ("hours", "days") or sif.value < 1:
        # A configured frequency the evaluator cannot read (Graph takes 1-23 hours
        # or 1-365 days; a window of 0 would be a reauthentication no sign-in can
        # satisfy): the strictest reading that a fresh sign-in still satisfies.
        return EVERY_TIME_SKEW, f"unreadable sign-in frequency {sif.value!r} {sif.type!r}"
    try:
        window = timedelta(hours=sif.value) if unit == "hours" else timedelta(days=sif.value)
    except OverflowError:
        window = timedelta.max  # longer than any session: every authentication counts
    return window, f"{sif.value} {unit[:-1] if sif.value == 1 else unit}"


def _strength_control(kind: ControlKind, detail: str | None, message: str,
                      strength: AuthenticationStrength) -> Control:
    """The public control: only the combinations a user can complete at a prompt
    (a combination restricted to certificate issuers or policy OIDs, or to no passkey
    model at all, cannot be shown by a session), and one passkey model every
    restricted FIDO2 combination allows. A strength none of whose combinations can
    be completed is no prompt at all: an unknown control, fail-closed."""
    doable: list[tuple[str, ...]] = []
    models: frozenset[str] | None = None
    for combo, (_, allowed) in zip(strength.allowed_combinations,
                                   _compile_combinations(strength), strict=True):
        if allowed is not None and not allowed:
            continue
        if allowed is not None:
            shared = allowed if models is None else models & allowed
            if not shared:
                continue
            models = shared
        doable.append(combo)
    if not doable:
        return Control(kind=ControlKind.UNKNOWN_CONTROL, detail=detail,
                       message=f"{message}, whose combinations no prompt can complete "
                       "(certificate or passkey-model restrictions)")
    aaguids = tuple(a for c in strength.combination_configurations if c.kind == "fido2"
                    for a in c.allowed_aaguids if models and ascii_lower(a) in models)
    return Control(kind=kind, detail=detail, message=message,
                   combinations=tuple(doable), fido2_aaguids=aaguids[:1])


def _controls(policy: Policy, strengths: Mapping[str, AuthenticationStrength]
              ) -> tuple[bool, bool, tuple[CompiledControl, ...]]:
    grant = policy.grant_controls
    if grant is None:
        raw = policy.unmodelled.get("grantControls")
        if raw is None or isinstance(raw, Mapping):
            return True, False, ()
        # grantControls of the wrong type ([], a string...): what it requires is
        # unknown, so it is a requirement no prompt can satisfy (DESIGN §4).
        return True, False, (CompiledControl(control=Control(
            kind=ControlKind.UNKNOWN_CONTROL, detail="grantControls",
            message=f"grantControls of the wrong type ({describe_json(raw)}), which this "
            "evaluator cannot read")),)
    block = any(ascii_lower(c) == "block" for c in grant.built_in_controls)
    out: list[CompiledControl] = []
    for name in grant.built_in_controls:
        if ascii_lower(name) == "block":
            continue
        kind = _BUILT_IN_CONTROL_KINDS.get(name)
        if kind is None:
            kind = _BUILT_IN_CONTROL_KINDS.get(
                next((k for k in _BUILT_IN_CONTROL_KINDS if ascii_lower(k) == ascii_lower(name)),
                     ""), ControlKind.UNKNOWN_CONTROL)
        if kind is ControlKind.MFA:
            out.append(CompiledControl(control=_strength_control(
                kind, None, _CONTROL_MESSAGES[kind], MFA_STRENGTH), strength=MFA_STRENGTH,
                combinations=_MFA_COMBINATIONS))
        elif kind is ControlKind.UNKNOWN_CONTROL:
            out.append(CompiledControl(control=Control(
                kind=kind, detail=name,
                message=f"grant control {name!r}, which this evaluator cannot check")))
        else:
            out.append(CompiledControl(control=Control(kind=kind,
                                                       message=_CONTROL_MESSAGES[kind])))
    if grant.authentication_strength is not None:
        sid = grant.authentication_strength
        strength = strengths.get(sid)
        if strength is None:
            out.append(CompiledControl(control=Control(
                kind=ControlKind.UNKNOWN_CONTROL, detail=sid,
                message=f"authentication strength {sid!r}, which the tenant does not define")))
        else:
            out.append(CompiledControl(control=_strength_control(
                ControlKind.AUTHENTICATION_STRENGTH, sid,
                f"authentication strength {strength.display_name!r}", strength),
                strength=strength, combinations=_compile_combinations(strength)))
    for tou in grant.terms_of_use:
        out.append(CompiledControl(control=Control(kind=ControlKind.TERMS_OF_USE, detail=tou,
                                                   message=f"accepting terms of use {tou!r}")))
    for custom in grant.custom_authentication_factors:
        out.append(CompiledControl(control=Control(
            kind=ControlKind.CUSTOM_CONTROL, detail=custom,
            message=f"custom control {custom!r}")))
    for unknown in _unreadable(grant, "grantControls"):
        if unknown.kind == "property":
            out.append(CompiledControl(control=Control(
                kind=ControlKind.UNKNOWN_CONTROL, detail=unknown.path,
                message=f"{unknown.describe()}, which this evaluator cannot check")))
    operator = grant.operator.upper()
    operator_and = operator != "OR"  # an unknown operator reads as the stricter AND
    return operator_and, block, tuple(out)


def _unreadable(part: object, path: str) -> list[Unrecognised]:
    """What ``part`` (and every object in it) holds that the evaluator cannot read and
    that could matter: unknown properties that carry a value, unknown values."""
    if part is None:
        return []
    return [u for u in find_unrecognised(part, path) if u.configured]


def _undecidable(policy: Policy) -> tuple[tuple[str, ...], frozenset[str]]:
    """What makes the policy's applicability undetermined: unknown properties and
    values in its conditions and session controls (never ignored, DESIGN §4); and
    the paths of the conditions holding an unknown value (each is then left out of
    its own check, so only the undetermined verdict speaks for it: it never fails
    an inclusion and never satisfies an exclusion)."""
    found = _unreadable(policy.conditions, "conditions") + \
        _unreadable(policy.session_controls, "sessionControls")
    return (tuple(u.describe() for u in found),
            frozenset(u.path for u in found if u.kind == "value"))


def _unless(unknown: frozenset[str], path: str, value: frozenset[str] | None,
            instead: frozenset[str] | None) -> frozenset[str] | None:
    """``value``, or ``instead`` when the condition at ``path`` holds an unknown value."""
    return instead if path in unknown else value


def _session_configured(policy: Policy) -> bool:
    controls = policy.session_controls
    if controls is None:
        return False
    return controls.sign_in_frequency is not None or is_configured(dict(controls.others))


def _is_empty(policy: Policy, controls: tuple[CompiledControl, ...], block: bool) -> bool:
    """Entra's ``emptyPolicy``: neither a grant control nor a session control (a
    grant of the wrong type is an unreadable control, not an empty grant)."""
    return not controls and not block and not _session_configured(policy)


_GUEST_TYPES = frozenset(ascii_lower(t) for t in VOCABULARIES[
    ("GuestsOrExternalUsers", "guest_or_external_user_types")]) - {"none"}

UNDECIDABLE_TENANTS: frozenset[str] = frozenset({"\x00undecidable"})
"""External tenants of a ``membershipKind`` the evaluator does not know (fail-closed)."""


def _guest_spec(spec: object) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    from protected_actions.model.policy import GuestsOrExternalUsers

    if not isinstance(spec, GuestsOrExternalUsers):
        return None, None
    types = _fold(spec.guest_or_external_user_types) - {"none"}
    if types - _GUEST_TYPES:
        # A guest type Graph does not document: which guests it names is unknown, so
        # for every guest the condition is undetermined (never satisfies an
        # exclusion, never escapes an inclusion).
        return types | _GUEST_TYPES, UNDECIDABLE_TENANTS
    tenants = spec.external_tenants
    kind = ascii_lower(tenants.membership_kind) if tenants is not None else "all"
    if kind == "all":
        return types, None
    if kind == "enumerated":
        return types, _fold(tenants.members)  # type: ignore[union-attr]
    return types, UNDECIDABLE_TENANTS


MISSING_USERS = ("conditions.users names no one to include (Graph requires users or "
                 "clientApplications)")
MISSING_APPLICATIONS = "conditions.applications is missing (Graph requires it)"


def missing_assignments(policy: Policy) -> tuple[str, ...]:
    """The assignments Graph requires that the policy lacks: ``users`` (or
    ``clientApplications``) naming someone to include (``None`` counts: it is an
    explicit choice), and ``applications``
    (https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset)."""
    cond = policy.conditions
    users, client = cond.users, cond.client_applications
    missing = []
    names_users = users is not None and bool(
        users.include_users or users.include_groups or users.include_roles
        or users.include_guests_or_external_users is not None)
    names_workloads = client is not None and bool(client.include_service_principals)
    if not names_users and not names_workloads:
        missing.append(MISSING_USERS)
    if cond.applications is None:
        missing.append(MISSING_APPLICATIONS)
    return tuple(missing)


def _compile_policy(policy: Policy, strengths: Mapping[str, AuthenticationStrength]
                    ) -> CompiledPolicy:
    cond = policy.conditions
    users, apps = cond.users, cond.applications
    inc_users = _fold(users.include_users) if users else frozenset()
    exc_users = _fold(users.exclude_users) if users else frozenset()
    inc_types, inc_tenants = _guest_spec(users.include_guests_or_external_users if users else None)
    exc_types, exc_tenants = _guest_spec(users.exclude_guests_or_external_users if users else None)
    has_users = bool(users) and bool(
        inc_users - {"none"} or users.include_groups or users.include_roles  # type: ignore[union-attr]
        or inc_types)
    client_apps = cond.client_applications
    workload_only = not has_users and client_apps is not None and bool(
        client_apps.include_service_principals)
    inc_apps = _fold(apps.include_applications) if apps else frozenset()
    platforms = cond.platforms
    inc_platforms = _fold(platforms.include_platforms) if platforms else frozenset()
    devices = cond.devices
    states = cond.device_states
    window, window_text = _sign_in_frequency(policy)
    operator_and, block, controls = _controls(policy, strengths)
    app_types = _fold(cond.client_app_types)
    undecidable, unknown = _undecidable(policy)
    # Graph requires users (or clientApplications) and applications in every policy:
    # a document without them is damaged, not a policy that targets nobody. Whom (or
    # which application) it targets is unknown: every user (every application and
    # the registration user action) may be targeted, and the verdict is undetermined
    # (fail-closed; reported by lint as PA184, an error).
    missing = missing_assignments(policy)
    undecidable += tuple(f"{what}: whom the policy targets is unknown" for what in missing)
    return CompiledPolicy(
        policy=policy, id=policy.id, state=_state(policy.state),
        has_users=has_users,
        include_all_users="all" in inc_users or MISSING_USERS in missing,
        include_users=inc_users - {"all", "none", "guestsorexternalusers"},
        exclude_users=exc_users - {"guestsorexternalusers"},
        include_groups=_fold(users.include_groups) if users else frozenset(),
        exclude_groups=_fold(users.exclude_groups) if users else frozenset(),
        include_roles=_fold(users.include_roles) if users else frozenset(),
        exclude_roles=_fold(users.exclude_roles) if users else frozenset(),
        include_any_guest="guestsorexternalusers" in inc_users,
        exclude_any_guest="guestsorexternalusers" in exc_users,
        include_guest_types=inc_types, include_guest_tenants=inc_tenants,
        exclude_guest_types=exc_types, exclude_guest_tenants=exc_tenants,
        workload_only=workload_only,
        include_all_apps="all" in inc_apps or MISSING_APPLICATIONS in missing,
        include_apps=inc_apps - {"all", "none"},
        exclude_apps=_fold(apps.exclude_applications) if apps else frozenset(),
        user_actions=_fold(apps.include_user_actions) if apps else frozenset(),
        contexts=frozenset(apps.include_authentication_context_class_references)
        if apps else frozenset(),
        has_application_filter=bool(apps and apps.application_filter),
        client_app_types=_unless(unknown, "conditions.clientAppTypes", None
                                 if not app_types or "all" in app_types else app_types, None),
        include_platforms=_unless(unknown, "conditions.platforms.includePlatforms", None
                                  if not inc_platforms or "all" in inc_platforms
                                  else inc_platforms, None),
        exclude_platforms=_unless(
            unknown, "conditions.platforms.excludePlatforms",
            _fold(platforms.exclude_platforms) if platforms else frozenset(),
            frozenset()) or frozenset(),
        include_locations=tuple(cond.locations.include_locations) if cond.locations else (),
        exclude_locations=tuple(cond.locations.exclude_locations) if cond.locations else (),
        device_filter=_compile_filter(devices.device_filter if devices else None),
        include_device_states=_fold((devices.include_device_states if devices else ())
                                    + (states.include_states if states else ())),
        exclude_device_states=_fold((devices.exclude_device_states if devices else ())
                                    + (states.exclude_states if states else ())),
        sign_in_risk=_unless(unknown, "conditions.signInRiskLevels",
                             _fold(cond.sign_in_risk_levels) or None, None),
        user_risk=_unless(unknown, "conditions.userRiskLevels",
                          _fold(cond.user_risk_levels) or None, None),
        insider_risk=_unless(unknown, "conditions.insiderRiskLevels",
                             _fold(cond.insider_risk_levels) or None, None),
        authentication_flows=_unless(
            unknown, "conditions.authenticationFlows.transferMethods",
            (_fold(cond.authentication_flows.transfer_methods) - {"none"} or None)
            if cond.authentication_flows else None, None),
        undecidable=undecidable,
        empty=_is_empty(policy, controls, block),
        checks=(),
        operator_and=operator_and, block=block, controls=controls,
        sign_in_frequency=window, sign_in_frequency_text=window_text,
    )


class Directory(Mapping[str, DirectoryEntry]):
    """The directory's users by lowercased (ASCII) id. An entry (transitive groups, active,
    tenant-wide and eligible roles) is computed on first lookup and kept: compiling
    a tenant does not pay for users no request names."""

    def __init__(self, tenant: Tenant, group_parents: Mapping[str, frozenset[str]]) -> None:
        self._parents = group_parents
        self._assignable = frozenset(ascii_lower(g.id) for g in tenant.groups
                                     if g.is_assignable_to_role)
        active: dict[str, set[str]] = {}
        eligible: dict[str, set[str]] = {}
        for a in tenant.role_assignments:
            if a.directory_scope_id == "/":
                active.setdefault(ascii_lower(a.principal_id), set()).add(a.role_definition_id)
        for e in tenant.role_eligibilities:
            if e.directory_scope_id == "/":
                eligible.setdefault(ascii_lower(e.principal_id), set()).add(
                    e.role_definition_id)
        self._scoped = scoped_roles(tenant)
        # Kept as tuples: a few roles per principal, thousands of principals.
        self._active, self._eligible = (
            {k: tuple(v) for k, v in table.items()} for table in (active, eligible))
        # Ids are case-insensitive: users whose ids differ only in case are one user,
        # whose facts are the union of every record (never the last one read).
        records: dict[str, list[User]] = {}
        for user in tenant.users:
            records.setdefault(ascii_lower(user.id), []).append(user)
        # A principal with role assignments or eligibilities is known to the directory
        # even when the export lists no user object for it (groups aside).
        group_ids = {ascii_lower(g.id) for g in tenant.groups}
        self._unlisted = frozenset({*active, *eligible, *self._scoped} - group_ids
                                   - set(records))
        for principal in sorted(self._unlisted):
            records[principal] = [User(id=principal)]
        self._records = {k: tuple(v) for k, v in records.items()}
        self._closures: dict[str, frozenset[str]] = {}
        self._entries: dict[str, DirectoryEntry] = {}

    def __getitem__(self, key: str) -> DirectoryEntry:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = self._entry(key, self._records[key])
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: object) -> bool:
        return key in self._records

    def get(self, key: str, default: Any = None) -> Any:  # a faster Mapping.get
        """The entry for ``key``, or ``default``."""
        entry = self._entries.get(key)
        if entry is not None:
            return entry
        records = self._records.get(key)
        if records is None:
            return default
        entry = self._entries[key] = self._entry(key, records)
        return entry

    def _closure(self, group: str) -> frozenset[str]:
        # Each group's closure is walked once (keyed by the id as written, which
        # lowercases to one key); a user's is the union of their groups'.
        found = self._closures.get(group)
        if found is None:
            found = self._closures[group] = nested_closure((ascii_lower(group),),
                                                           self._parents)
        return found

    def _entry(self, key: str, users: tuple[User, ...]) -> DirectoryEntry:
        closure = self._closure
        closures: list[frozenset[str] | None] = [None]
        if len(users) == 1:  # every group's closure known already: looked up in one call
            closures = list(map(self._closures.get, users[0].member_of))
        if None in closures:
            closures = [closure(g) for u in users for g in u.member_of]
        groups: frozenset[str] = frozenset().union(*closures)  # type: ignore[arg-type]
        if len(users) == 1 and not self._assignable:
            return self._single_entry(key, users[0], groups)
        # Roles arrive directly or through role-assignable groups (such groups cannot
        # be nested by Entra's rules; nesting is followed anyway).
        if len(users) == 1:
            only = users[0]
            roles, elig = set(only.roles), set(only.eligible_roles)
        else:
            roles = {r for u in users for r in u.roles}
            elig = {r for u in users for r in u.eligible_roles}
        principals = (key, *sorted(groups & self._assignable)) if self._assignable \
            else (key,)
        scoped: list[ScopedRole] = []
        for principal in principals:
            roles.update(self._active.get(principal, ()))
            elig.update(self._eligible.get(principal, ()))
            scoped.extend(self._scoped.get(principal, ()))
        if len(users) == 1:
            user_type, guest_type, home = (only.user_type, only.guest_or_external_user_type,
                                           only.home_tenant_id)
        else:
            types = sorted(u.user_type for u in users)
            user_type = next((t for t in types if ascii_lower(t) == "guest"), types[0])
            guest_type = min((u.guest_or_external_user_type for u in users
                              if u.guest_or_external_user_type), default=None)
            home = min((u.home_tenant_id for u in users if u.home_tenant_id), default=None)
        wide = frozenset(roles)
        return DirectoryEntry(
            groups=groups, active_roles=wide, tenant_wide_roles=wide,
            eligible_roles=frozenset(elig), scoped_roles=tuple(scoped),
            listed=key not in self._unlisted, user_type=user_type,
            guest_type=guest_type or None, home_tenant_id=home or None)


    def _single_entry(self, key: str, only: User, groups: frozenset[str]) -> DirectoryEntry:
        """:meth:`_entry` of a user listed once in a tenant without role-assignable
        groups: no set is built when the assignments add nothing."""
        active, eligible = self._active.get(key), self._eligible.get(key)
        wide = only.roles.union(active) if active else only.roles
        return DirectoryEntry(
            groups, wide, wide, only.eligible_roles.union(eligible) if eligible
            else only.eligible_roles, only.user_type, only.guest_or_external_user_type or None,
            only.home_tenant_id or None, self._scoped.get(key, ()),
            key not in self._unlisted)


def _grant_key(cp: CompiledPolicy) -> tuple[object, ...]:
    """What a grant's answer depends on, besides the session: equal keys, equal
    answers (up to the policy id in the requirements)."""
    return (cp.block, cp.operator_and, tuple(c.control for c in cp.controls),
            tuple(c.combinations for c in cp.controls), cp.sign_in_frequency,
            cp.sign_in_frequency_text)


def _configured_checks(cp: CompiledPolicy) -> tuple[str, ...]:
    """Names of the conditions a policy configures (the others always match)."""
    flags = {
        "platform": cp.include_platforms is not None or bool(cp.exclude_platforms),
        "location": bool(cp.include_locations or cp.exclude_locations),
        "clientApps": cp.client_app_types is not None,
        "signInRisk": cp.sign_in_risk is not None,
        "userRisk": cp.user_risk is not None,
        "insiderRisk": cp.insider_risk is not None,
        "authenticationFlow": cp.authentication_flows is not None,
        "devices": cp.device_filter is not None or bool(
            cp.include_device_states or cp.exclude_device_states),
        "undecidable": bool(cp.undecidable),
    }
    return tuple(name for name, on in flags.items() if on)


def scoped_roles(tenant: Tenant) -> dict[str, tuple[ScopedRole, ...]]:
    """Principal (lowercased) -> the roles assigned to it, or it is eligible for,
    below the tenant (``directoryScopeId`` other than ``/``)."""
    out: dict[str, list[ScopedRole]] = {}
    for grants, active in ((tenant.role_assignments, True),
                           (tenant.role_eligibilities, False)):
        for a in grants:
            if a.directory_scope_id != "/":
                out.setdefault(ascii_lower(a.principal_id), []).append(ScopedRole(
                    a.role_definition_id, ascii_lower(a.directory_scope_id),
                    a.directory_scope_id, a.id, active))
    return {k: tuple(v) for k, v in out.items()}


def _group_scoped_roles(tenant: Tenant) -> dict[str, tuple[ScopedRole, ...]]:
    assignable = {ascii_lower(g.id) for g in tenant.groups if g.is_assignable_to_role}
    return {g: found for g, found in scoped_roles(tenant).items() if g in assignable}


def _group_roles(tenant: Tenant
                 ) -> dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]]:
    assignable = {ascii_lower(g.id) for g in tenant.groups if g.is_assignable_to_role}
    out: dict[str, tuple[set[str], set[str], set[str]]] = {
        g: (set(), set(), set()) for g in assignable}
    for a in tenant.role_assignments:
        entry = out.get(ascii_lower(a.principal_id))
        if entry is not None and a.directory_scope_id == "/":
            entry[0].add(a.role_definition_id)
            entry[1].add(a.role_definition_id)
    for e in tenant.role_eligibilities:
        entry = out.get(ascii_lower(e.principal_id))
        if entry is not None and e.directory_scope_id == "/":
            entry[2].add(e.role_definition_id)
    return {g: (frozenset(a), frozenset(w), frozenset(e)) for g, (a, w, e) in out.items()
            if a or e}


def _role_grants(roles: Mapping[str, RoleDefinition]
                 ) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    out = {}
    for key, role in roles.items():
        exact = frozenset(p.key for p in role.permissions if not p.is_all_tasks)
        wildcard = frozenset("/".join(p.key.split("/")[:2]) for p in role.permissions
                             if p.is_all_tasks)
        out[key] = (exact, wildcard)
    return out


def _by_key(policies: Iterable[CompiledPolicy], keys: str) -> dict[str, tuple[CompiledPolicy, ...]]:
    out: dict[str, list[CompiledPolicy]] = {}
    for cp in policies:
        for key in getattr(cp, keys):
            out.setdefault(key, []).append(cp)
    return {k: tuple(v) for k, v in out.items()}


def _embedded_strengths(tenant: Tenant) -> list[AuthenticationStrength]:
    return [p.grant_controls.embedded_authentication_strength
            for p in sorted(tenant.policies, key=lambda p: p.id)
            if p.grant_controls is not None
            and p.grant_controls.embedded_authentication_strength is not None]


def registration_variant(cp: CompiledPolicy) -> CompiledPolicy | None:
    """An All-resources policy as it applies to security-info registration when a
    policy on that user action requires an authentication strength: registration
    strengths are preferred over All-resources strengths, other grant controls still
    apply (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strength-how-it-works).

    With ``AND`` the strength requirement is dropped; with ``OR`` only when it is the
    policy's only control (dropping one option of several would make the policy
    stricter, and Microsoft's pages are silent on that case: the policy is kept as
    it is). ``None`` when nothing changes. The variant keeps the policy's grant shape:
    its answer is a function of the original's grant verdict.
    """
    strengths = [c for c in cp.controls if c.control.kind is ControlKind.AUTHENTICATION_STRENGTH]
    if cp.block or not strengths or (not cp.operator_and and len(cp.controls) > 1):
        return None
    return attrs.evolve(cp, controls=tuple(c for c in cp.controls if c not in strengths),
                        grants={})


def _undetermined_protection(tenant: Tenant) -> dict[str, str]:
    out: dict[str, str] = {}
    for index, action in enumerate(tenant.protected_actions):
        found = _unreadable(action, f"resourceActions[{index}]")
        if found:
            out[action.permission.key] = "; ".join(u.describe() for u in found)
    return out


def compiled(tenant: Tenant) -> CompiledTenant:
    """The index of ``tenant``: compiled on first use and kept with the tenant."""
    # The hot path reads the tenant's memo directly (one dict lookup); Tenant.memo
    # builds it the first time.
    index: CompiledTenant | None = tenant._derived.get(INDEX_KEY)
    return index if index is not None else tenant.memo(INDEX_KEY, compile_tenant)


INDEX_KEY = "engine.index"
"""The key of the compiled index in the tenant's memo (:meth:`Tenant.memo`)."""


def compile_tenant(tenant: Tenant) -> CompiledTenant:
    """Build the index for ``tenant`` (:func:`compiled` builds it once per tenant)."""
    strengths = {s.id: s for s in _embedded_strengths(tenant)}
    strengths.update({s.id: s for s in tenant.all_authentication_strengths})
    compiled = tuple(sorted((_compile_policy(p, strengths) for p in tenant.policies),
                            key=lambda cp: cp.id))
    shapes: dict[tuple[object, ...], int] = {}
    compiled = tuple(attrs.evolve(cp, checks=_configured_checks(cp),
                                  grant_shape=shapes.setdefault(_grant_key(cp), len(shapes)))
                     for cp in compiled)
    live = [cp for cp in compiled if cp.state != "disabled" and not cp.empty]
    roles: dict[str, RoleDefinition] = {}
    role_template: dict[str, str] = {}
    for role in tenant.all_role_definitions:
        roles[ascii_lower(role.id)] = role
        if role.template_id:
            roles.setdefault(ascii_lower(role.template_id), role)
            role_template[ascii_lower(role.id)] = ascii_lower(role.template_id)
    # Group ids are case-insensitive: groups whose ids differ only in case are one
    # group, nested in the union of their parents (never the last one read).
    parents: dict[str, set[str]] = {}
    for g in tenant.groups:
        parents.setdefault(ascii_lower(g.id), set()).update(ascii_lower(p) for p in g.member_of)
    group_parents = {k: frozenset(v) for k, v in parents.items()}
    return CompiledTenant(
        tenant=tenant,
        policies_by_id={p.id: p for p in tenant.policies},
        compiled=compiled,
        by_context=_by_key(live, "contexts"),
        enforced_contexts=frozenset(c for cp in live if cp.state == "enabled"
                                    for c in cp.contexts),
        all_app_policies=tuple(cp for cp in live if cp.include_all_apps
                               or cp.include_apps & GROUP_KEYS),
        by_app=_by_key((cp for cp in live if not cp.include_all_apps), "include_apps"),
        by_user_action=_by_key(live, "user_actions"),
        contexts_by_permission={a.permission.key: a.context_id
                                for a in tenant.protected_actions},
        undetermined_protection=_undetermined_protection(tenant),
        roles=roles,
        role_template=role_template,
        group_parents=group_parents,
        directory=Directory(tenant, group_parents),
        locations=LocationIndex.build(tenant.named_locations),
        strengths=strengths,
        enforced_by_context=_by_key((cp for cp in live if cp.enforced), "contexts"),
        group_roles=_group_roles(tenant),
        role_grants=_role_grants(roles),
        applications=tenant.applications,
        registration_variants={cp.id: variant for cp in live if cp.include_all_apps
                               for variant in (registration_variant(cp),)
                               if variant is not None},
        group_scoped_roles=_group_scoped_roles(tenant),
    )
