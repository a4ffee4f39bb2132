"""Does a compiled policy apply to a request? One small function per condition.

Each check returns ``True`` (matches), ``False`` (does not: the policy is not
applied) or ``None`` (undetermined: the session lacks the fact; DESIGN §4.4 treats
the policy as applying). With ``explain`` the checks also say which concrete value
decided them; the evaluator's hot path calls them without it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from protected_actions.model.applications import GROUP_KEYS, ApplicationGroups
from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from ._memo import MemoTable, remember
from .compile import (
    KNOWN_PLATFORMS,
    UNDECIDABLE_TENANTS,
    CompiledFilter,
    CompiledPolicy,
    CompiledTenant,
)
from .decision import AnalysisReason
from .location_index import LocationFacts

__all__ = ["CONDITION_CHECKS", "USER_EXCLUDED_TEXT", "USER_INCLUDED_TEXT",
           "USER_NOT_INCLUDED_TEXT", "Request", "UserFacts"]

# The users condition's texts: the decision names its user (``Decision.user_id``),
# so the texts do not, and one policy's text is the same for every user it treats
# alike.
USER_EXCLUDED_TEXT = "the user is excluded (user, group or role)"
USER_INCLUDED_TEXT = "the user is included"
USER_NOT_INCLUDED_TEXT = "the user is not included"

Tri = bool | None
Explained = tuple[Tri, str]
_EAS = frozenset({"exchangeactivesync", "eassupported"})
_INTERNAL_GUEST = "internalguest"


@attrs.frozen(kw_only=True, cache_hash=True)
class UserFacts:
    """The user as the conditions see it: the session's facts joined with the
    directory's (DESIGN §6), lowercased on ASCII letters."""

    id: str
    groups: frozenset[str]
    role_keys: frozenset[str]
    guest_type: str | None
    home_tenant: str | None
    guest_types: frozenset[str] | None = None
    """Every guest type a source gives (``None``: just ``guest_type``); any of them
    includes the user."""
    guest_views: tuple[str | None, ...] | None = None
    """Each source's guest type (``None`` for a member; ``None`` here: just
    ``guest_type``); a guest exclusion needs every source to be excluded."""
    exclusion_groups: frozenset[str] | None = None
    """The groups an exclusion reads (``None``: ``groups``): where the session and
    the directory disagree, a membership only the session claims never excludes."""
    exclusion_role_keys: frozenset[str] | None = None
    """The roles an exclusion reads (``None``: ``role_keys``)."""

    @property
    def inclusion_guest_types(self) -> frozenset[str]:
        """The guest types that can include the user."""
        if self.guest_types is not None:
            return self.guest_types
        return frozenset() if self.guest_type is None else frozenset((self.guest_type,))

    @property
    def exclusion_views(self) -> tuple[str | None, ...]:
        """The guest type of each source an exclusion must agree with."""
        return self.guest_views if self.guest_views is not None else (self.guest_type,)


@attrs.define(kw_only=True)
class Request:
    """One evaluation's inputs, with the facts derived from them computed once."""

    index: CompiledTenant
    session: SessionState
    user: UserFacts
    target_kind: str  # "context" | "application" | "userAction"
    target: str
    decision_target: str = ""
    explain: bool = False
    _locations: LocationFacts | None = None
    _device_props: dict[str, object] | None = None
    _device_props_done: bool = False

    @property
    def locations(self) -> LocationFacts:
        """Named locations the sign-in is in (computed on first use, and remembered
        per tenant for each address and countries: a pure function of them)."""
        if self._locations is None:
            s = self.session
            key = (s.ip_address, s.country, s.gps_country)
            table: dict[object, LocationFacts] | None = self.index.caches.get("locations")
            if table is None:
                table = self.index.caches["locations"] = MemoTable()
            found = table.get(key)
            if found is None:
                found = remember(table, key, self.index.locations.locate(
                    ip_address=s.ip_address, country=s.country, gps_country=s.gps_country))
            self._locations = found
        return self._locations

    @property
    def device_props(self) -> dict[str, object] | None:
        """Device filter properties; ``None`` for an unregistered device."""
        if not self._device_props_done:
            device = self.session.device
            self._device_props = None if device is None else dict(device.filter_properties())
            self._device_props_done = True
        return self._device_props


def _guest_type_match(types: frozenset[str] | None, tenants: frozenset[str] | None,
                      guest_type: str | None, user: UserFacts) -> Tri:
    if types is None or guest_type is None or guest_type not in types:
        return False
    if tenants is None:
        return True
    if user.home_tenant is None or tenants is UNDECIDABLE_TENANTS:
        return None
    return user.home_tenant in tenants


def _guest_match(types: frozenset[str] | None, tenants: frozenset[str] | None,
                 user: UserFacts) -> Tri:
    """Inclusion: any source's guest type that matches includes the user."""
    verdict: Tri = False
    for guest_type in user.inclusion_guest_types:
        found = _guest_type_match(types, tenants, guest_type, user)
        if found:
            return True
        if found is None:
            verdict = None
    return verdict


def _guest_excluded(types: frozenset[str] | None, tenants: frozenset[str] | None,
                    user: UserFacts) -> Tri:
    """Exclusion: only when every source's guest type is excluded (where the session
    and the directory disagree, the policy applies if either makes it apply)."""
    verdict: Tri = True
    for guest_type in user.exclusion_views:
        found = _guest_type_match(types, tenants, guest_type, user)
        if found is False:
            return False
        if found is None:
            verdict = None
    return verdict


def check_users(cp: CompiledPolicy, req: Request) -> Explained:
    """Users, groups, roles, guests; exclusion wins (entra-facts §6.2)."""
    u = req.user
    if cp.workload_only:
        return False, "the policy is for workload identities, not users"
    explain = req.explain
    groups = u.groups if u.exclusion_groups is None else u.exclusion_groups
    roles = u.role_keys if u.exclusion_role_keys is None else u.exclusion_role_keys
    if u.id in cp.exclude_users or groups & cp.exclude_groups or roles & cp.exclude_roles:
        return False, USER_EXCLUDED_TEXT if explain else ""
    if cp.exclude_any_guest and None not in u.exclusion_views:
        return False, f"guest or external user ({u.guest_type}) is excluded" if explain else ""
    excluded_guest = _guest_excluded(cp.exclude_guest_types, cp.exclude_guest_tenants, u)
    if excluded_guest:
        return False, f"guest type {u.guest_type} is excluded" if explain else ""
    included, text = _users_included(cp, u, explain)
    if included is not False and excluded_guest is None:
        # An undetermined fact never satisfies an exclusion (DESIGN §4.4).
        return None, "the user's home tenant is not known: guest exclusion undetermined"
    return included, text


def _users_included(cp: CompiledPolicy, u: UserFacts, explain: bool) -> Explained:
    if (cp.include_all_users or u.id in cp.include_users or u.groups & cp.include_groups
            or u.role_keys & cp.include_roles
            or (u.groups and "all" in cp.include_groups)
            or (u.role_keys and "all" in cp.include_roles)
            or (cp.include_any_guest and bool(u.inclusion_guest_types))):
        return True, USER_INCLUDED_TEXT if explain else ""
    included_guest = _guest_match(cp.include_guest_types, cp.include_guest_tenants, u)
    if included_guest is None:
        if cp.include_guest_tenants is UNDECIDABLE_TENANTS:
            return None, "external tenants of an unknown kind: guest condition undetermined"
        return None, "the user's home tenant is not known: guest tenant condition undetermined"
    if included_guest:
        return True, f"guest type {u.guest_type} is included" if explain else ""
    return False, USER_NOT_INCLUDED_TEXT if explain else ""


def check_target(cp: CompiledPolicy, req: Request) -> Explained:
    """The target resource: auth context, application or user action."""
    if req.target_kind == "context":
        hit = req.target in cp.contexts
        return hit, f"auth context {req.target} is {'' if hit else 'not '}targeted" \
            if req.explain else ""
    return check_resource(cp, req.target_kind, req.target, req.index.applications)


REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo"
"""The user action that "All resources" policies also cover (Graph What If example 3,
https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate?view=graph-rest-1.0)."""


def check_resource(cp: CompiledPolicy, kind: str, target: str,
                   groups: ApplicationGroups) -> Explained:
    """The target condition for a sign-in: a user action or an application."""
    if kind == "userAction":
        folded = ascii_lower(target)
        if folded in cp.user_actions:
            return True, f"user action {target} is targeted"
        if folded == REGISTER_SECURITY_INFO and cp.include_all_apps:
            return True, f"all resources are targeted, which covers the user action {target}"
        return False, f"user action {target} is not targeted"
    return _check_application(cp, ascii_lower(target), groups)


def _check_application(cp: CompiledPolicy, app: str, groups: ApplicationGroups) -> Explained:
    if app in cp.exclude_apps:
        return False, f"application {app} is excluded"
    excluded_undetermined: list[str] = []
    for group in sorted(cp.exclude_apps & GROUP_KEYS):
        member, why = groups.membership(group, app)
        if member:
            return False, f"application {app} is excluded: {why}"
        if member is None:
            excluded_undetermined.append(why)
    verdict: Tri = False
    text = f"application {app} is not targeted"
    if cp.include_all_apps or app in cp.include_apps:
        verdict, text = True, f"application {app} is included"
    else:
        for group in sorted(cp.include_apps & GROUP_KEYS):
            member, why = groups.membership(group, app)
            if member:
                verdict, text = True, f"application {app} is included: {why}"
                break
            if member is None:
                verdict, text = None, why
            elif verdict is False:
                text = f"application {app} is not targeted: {why}"
    if verdict is False:
        return False, text
    if excluded_undetermined:
        # An undetermined fact never satisfies an exclusion (fail-closed).
        return None, "; ".join(excluded_undetermined)
    if cp.has_application_filter:
        return None, "the application filter cannot be decided (custom security attributes)"
    return verdict, text


def check_platform(cp: CompiledPolicy, req: Request) -> Explained:
    """Device platforms: unknown platforms match only ``all`` (entra-facts §6.4)."""
    if cp.include_platforms is None and not cp.exclude_platforms:
        return True, "platforms not configured"
    platform = req.session.device_platform
    if platform is None:
        return None, "no device platform supplied"
    folded = ascii_lower(platform)
    known = folded in KNOWN_PLATFORMS
    explain = req.explain
    if known and folded in cp.exclude_platforms:
        return False, f"platform {platform} is excluded" if explain else ""
    if cp.include_platforms is None or (known and folded in cp.include_platforms):
        return True, f"platform {platform} is included" if explain else ""
    return False, f"platform {platform} is not included" if explain else ""


def _location_match(ids: tuple[str, ...], facts: LocationFacts, known: frozenset[str]) -> Tri:
    verdict: Tri = False
    for loc in ids:
        folded = ascii_lower(loc)
        if folded == "all":
            return True
        if folded == "alltrusted":
            if facts.trusted_ids & facts.inside:
                return True
            if facts.trusted_ids & facts.undetermined:
                verdict = None
            continue
        if loc in facts.inside:
            return True
        if loc in facts.undetermined or loc not in known:
            verdict = None
    return verdict


def check_location(cp: CompiledPolicy, req: Request) -> Explained:
    """Named locations, ``All`` and ``AllTrusted`` (entra-facts §4.3)."""
    if not cp.include_locations and not cp.exclude_locations:
        return True, "locations not configured"
    facts = req.locations
    known = req.index.locations.ids
    inc = _location_match(cp.include_locations, facts, known) if cp.include_locations else True
    exc = _location_match(cp.exclude_locations, facts, known) if cp.exclude_locations \
        else False
    if (inc is None or exc is None) and inc is not False and exc is not True:
        return None, f"location undetermined: {_location_text(cp, facts)}"
    text = _location_text(cp, facts) if req.explain else ""
    if inc is False:
        return False, f"not in an included location: {text}"
    if exc is True:
        return False, f"in an excluded location: {text}"
    return True, f"location matches: {text}"


def _location_text(cp: CompiledPolicy, facts: LocationFacts) -> str:
    named: list[str] = []
    for loc in (*cp.include_locations, *cp.exclude_locations):
        folded = ascii_lower(loc)
        if folded == "alltrusted":
            named += sorted(facts.trusted_ids) or ["(no trusted location is defined)"]
        elif folded != "all":
            named.append(loc)
    seen: dict[str, None] = dict.fromkeys(named)
    texts = [facts.describe(i) if not i.startswith("(") else i for i in seen]
    return "; ".join(texts) or "any location"


def check_client_app(cp: CompiledPolicy, req: Request) -> Explained:
    """Client app types: every type when not configured (entra-facts §6.1)."""
    if cp.client_app_types is None:
        return True, "all client app types"
    kind = ascii_lower(req.session.client_app_type)
    hit = kind in cp.client_app_types or (kind in _EAS and bool(cp.client_app_types & _EAS))
    if not req.explain:
        return hit, ""
    return hit, f"client app type {req.session.client_app_type} is " + \
        ("included" if hit else "not included")


def _risk(levels: frozenset[str] | None, value: str, label: str, explain: bool) -> Explained:
    if levels is None:
        return True, f"{label} not configured"
    hit = ascii_lower(value) in levels
    return hit, f"{label} {value} is {'' if hit else 'not '}included" if explain else ""


def check_sign_in_risk(cp: CompiledPolicy, req: Request) -> Explained:
    """Sign-in risk: the session's level must be listed (entra-facts §6.7)."""
    return _risk(cp.sign_in_risk, req.session.sign_in_risk_level, "sign-in risk", req.explain)


def check_user_risk(cp: CompiledPolicy, req: Request) -> Explained:
    """User risk: the session's level must be listed (entra-facts §6.7)."""
    return _risk(cp.user_risk, req.session.user_risk_level, "user risk", req.explain)


def check_insider_risk(cp: CompiledPolicy, req: Request) -> Explained:
    """Insider risk levels (entra-facts §3.2)."""
    return _risk(cp.insider_risk, req.session.insider_risk_level, "insider risk", req.explain)


def check_authentication_flow(cp: CompiledPolicy, req: Request) -> Explained:
    """Authentication flows: device code flow, authentication transfer (§3.2)."""
    if cp.authentication_flows is None:
        return True, "authentication flows not configured"
    flow = req.session.authentication_flow
    if flow is None:
        return False, "the sign-in uses no transfer flow"
    hit = ascii_lower(flow) in cp.authentication_flows
    return hit, f"authentication flow {flow} is {'' if hit else 'not '}included" \
        if req.explain else ""


def check_devices(cp: CompiledPolicy, req: Request) -> Explained:
    """Device filter (include/exclude mode) and legacy device states (§3.8, §7.4)."""
    flt = cp.device_filter
    verdict: Explained = (True, "devices not configured")
    if flt is not None:
        if flt.parsed is None or not flt.mode_known:
            return None, f"device filter cannot be evaluated: {flt.error or 'unknown mode'}"
        props = req.device_props
        matched = flt.parsed.matches(props)  # type: ignore[arg-type]
        in_scope = matched != flt.mode_exclude
        mode = "exclude" if flt.mode_exclude else "include"
        how = "unregistered device" if props is None else "device"
        verdict = (in_scope, f"{how} {'matches' if matched else 'does not match'} the "
                             f"{mode} filter {flt.rule!r}{_no_value_note(flt, req)}"
                   if req.explain else "")
        if not in_scope:
            return verdict
    return _check_device_states(cp, req) if (
        cp.include_device_states or cp.exclude_device_states) else verdict


_EXTENSION_PREFIX = "extensionattribute"


def _no_value_note(flt: CompiledFilter, req: Request) -> str:
    """Why the properties the rule reads have no value, for the explanation: an
    unregistered device has none; extension attributes exist only on an
    Intune-managed, compliant or hybrid Entra joined device
    (https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices)."""
    read = sorted(flt.parsed.literals()) if flt.parsed is not None else []
    props = req.device_props
    if props is None:
        return (" (an unregistered device has no value for any property, so positive "
                "operators are false and negative operators true)") if read else ""
    device = req.session.device
    exposes = device is not None and bool(
        device.is_managed or device.is_compliant or device.is_hybrid_joined)
    notes = []
    for name in read:
        if props.get(name) is not None:
            continue
        if ascii_lower(name).startswith(_EXTENSION_PREFIX) and not exposes:
            notes.append(f"{name} has no value: extension attributes exist only on an "
                         "Intune-managed, compliant or hybrid Entra joined device, and "
                         "this device is none of these")
        else:
            notes.append(f"{name} has no value on this device (not supplied)")
    return f" ({'; '.join(notes)})" if notes else ""


def _check_device_states(cp: CompiledPolicy, req: Request) -> Explained:
    device = req.session.device
    states = set()
    if device is not None and device.is_compliant:
        states.add("compliant")
    if device is not None and device.is_hybrid_joined:
        states.add("domainjoined")
    if states & cp.exclude_device_states:
        return False, f"device state {sorted(states)} is excluded"
    include = cp.include_device_states
    if include and "all" not in include and not (states & include):
        return False, "device state is not included"
    return True, "device state matches"


def check_undecidable(cp: CompiledPolicy, req: Request) -> Explained:
    """Conditions the evaluator does not model: never ignored, always undetermined."""
    if not cp.undecidable:
        return True, ""
    return None, "policy data this evaluator cannot interpret: " + "; ".join(cp.undecidable)


CHECKS_BY_NAME: dict[str, tuple[AnalysisReason, Callable[[CompiledPolicy, Request], Explained]]]
"""The optional condition checks by the name that
:func:`protected_actions.engine.compile._configured_checks` gives."""

CONDITION_CHECKS: tuple[tuple[AnalysisReason, Callable[[CompiledPolicy, Request], Explained]],
                        ...] = (
    (AnalysisReason.USERS, check_users),
    (AnalysisReason.AUTHENTICATION_CONTEXT, check_target),
    (AnalysisReason.DEVICE_PLATFORM, check_platform),
    (AnalysisReason.LOCATION, check_location),
    (AnalysisReason.CLIENT_APPS, check_client_app),
    (AnalysisReason.SIGN_IN_RISK, check_sign_in_risk),
    (AnalysisReason.USER_RISK, check_user_risk),
    (AnalysisReason.INSIDER_RISK, check_insider_risk),
    (AnalysisReason.AUTHENTICATION_FLOW, check_authentication_flow),
    (AnalysisReason.DEVICES, check_devices),
    (AnalysisReason.INVALID_CONDITION, check_undecidable),
)
"""The checks in the order their what-if reason is reported (first failing wins)."""

CHECKS_BY_NAME = {
    "platform": (AnalysisReason.DEVICE_PLATFORM, check_platform),
    "location": (AnalysisReason.LOCATION, check_location),
    "clientApps": (AnalysisReason.CLIENT_APPS, check_client_app),
    "signInRisk": (AnalysisReason.SIGN_IN_RISK, check_sign_in_risk),
    "userRisk": (AnalysisReason.USER_RISK, check_user_risk),
    "insiderRisk": (AnalysisReason.INSIDER_RISK, check_insider_risk),
    "authenticationFlow": (AnalysisReason.AUTHENTICATION_FLOW, check_authentication_flow),
    "devices": (AnalysisReason.DEVICES, check_devices),
    "undecidable": (AnalysisReason.INVALID_CONDITION, check_undecidable),
}
