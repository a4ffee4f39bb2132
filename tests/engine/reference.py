"""A deliberately simple reference evaluator: DESIGN §4 read straight off the page.

No index, no caches, no laziness, no shared code with the library's evaluator: it
walks the models of a :class:`~protected_actions.Tenant` directly. It is the oracle
the compiled engine is differential-tested against. It reuses only what is tested
on its own elsewhere: model methods (``Permission.covers``,
``AuthenticationStrength.allows``, ``IpRange.contains``) and the device filter
language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta, timezone
from typing import Any

import attrs

import protected_actions as pa
from protected_actions.device_filter import parse_device_filter
from protected_actions.errors import DeviceFilterSyntaxError

PLATFORMS = {"android", "ios", "windows", "windowsphone", "macos", "linux"}
LEGACY = {"exchangeactivesync", "easunsupported", "other"}
PROMPT = {"mfa": 0, "authenticationStrength": 0, "reauthentication": 0,
          "compliantDevice": 1, "domainJoinedDevice": 2, "approvedApplication": 3,
          "compliantApplication": 4, "passwordChange": 5, "termsOfUse": 6,
          "customControl": 7, "unknownControl": 8}
INTERACTIVE = {"mfa", "authenticationStrength", "reauthentication", "passwordChange",
               "termsOfUse", "customControl"}
KNOWN_CONTROLS = {"mfa": "mfa", "compliantdevice": "compliantDevice",
                  "domainjoineddevice": "domainJoinedDevice",
                  "approvedapplication": "approvedApplication",
                  "compliantapplication": "compliantApplication",
                  "passwordchange": "passwordChange"}


@attrs.frozen
class RefPolicy:
    """One policy's result: applies, its sign-in log result, the first failed condition."""

    applies: bool
    result: str
    reason: str | None
    undetermined: bool


@attrs.frozen
class RefDecision:
    """What the reference decides."""

    outcome: str
    reasons: frozenset[tuple[str, str | None]]
    requirements: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...]
    complete: bool
    policies: dict[str, RefPolicy] = attrs.field(eq=False)


def _f(values: Iterable[str]) -> set[str]:
    return {v.casefold() for v in values}


# ---------------------------------------------------------------------- the user
def _records(t: pa.Tenant, user_id: str) -> list[pa.User]:
    return [u for u in t.users if u.id.casefold() == user_id.casefold()]


def _groups(t: pa.Tenant, start: set[str]) -> set[str]:
    parents = {g.id.casefold(): _f(g.member_of) for g in t.groups}
    seen: set[str] = set()
    todo = list(start)
    while todo:
        g = todo.pop()
        if g not in seen:
            seen.add(g)
            todo += parents.get(g, set())
    return seen


def _user(t: pa.Tenant, s: pa.SessionState) -> dict[str, Any]:
    u = s.user
    recs = _records(t, u.id)
    groups = _groups(t, _f(u.member_of) | {g.casefold() for r in recs for g in r.member_of})
    assignable = {g.id.casefold() for g in t.groups if g.is_assignable_to_role}
    principals = {u.id.casefold()} | (groups & assignable)
    active = set(u.roles) | {r for rec in recs for r in rec.roles}
    wide = set(active)
    eligible = set(u.eligible_roles) | {r for rec in recs for r in rec.eligible_roles}
    # Only tenant-wide assignments authorize without a scope (the reference never
    # names one) and count for role conditions.
    directory_wide = {r for rec in recs for r in rec.roles}
    directory_principals = {u.id.casefold()} | (
        _groups(t, {g.casefold() for r in recs for g in r.member_of}) & assignable)
    for a in t.role_assignments:
        if a.principal_id.casefold() in principals and a.directory_scope_id == "/":
            active.add(a.role_definition_id)
            wide.add(a.role_definition_id)
        if a.principal_id.casefold() in directory_principals and a.directory_scope_id == "/":
            directory_wide.add(a.role_definition_id)
    for e in t.role_eligibilities:
        if e.principal_id.casefold() in principals and e.directory_scope_id == "/":
            eligible.add(e.role_definition_id)

    def view(guest_type: str | None, user_type: str) -> str | None:
        if guest_type:
            return guest_type.casefold()
        return "internalguest" if user_type.casefold() == "guest" else None

    # Session and directory disagree: either source's guest type includes; an
    # exclusion needs every source (a session that says nothing does not count).
    mine = view(u.guest_or_external_user_type, u.user_type)
    if recs:
        theirs = view(min((r.guest_or_external_user_type for r in recs
                           if r.guest_or_external_user_type), default=None),
                      "guest" if any(r.user_type.casefold() == "guest" for r in recs)
                      else "member")
        views = [theirs] if mine is None or mine == theirs else [theirs, mine]
        excluding_groups = _groups(t, {g.casefold() for r in recs for g in r.member_of})
    else:
        views, excluding_groups = [mine], None
    guest = min((v for v in views if v is not None), default=None)
    home = u.home_tenant_id or min((r.home_tenant_id for r in recs if r.home_tenant_id),
                                   default=None)
    defs = {}
    for d in t.all_role_definitions:
        defs.setdefault(d.id.casefold(), d)
        if d.template_id:
            defs.setdefault(d.template_id.casefold(), d)
    def role_keys(roles: set[str]) -> set[str]:
        keys = set()
        for r in roles:
            d = defs.get(r.casefold())
            if d is not None and not d.is_built_in:
                continue
            keys.add(r.casefold())
            if d is not None and d.template_id and d.id.casefold() == r.casefold():
                keys.add(d.template_id.casefold())
        return keys

    keys = role_keys(wide)
    return {"id": u.id.casefold(), "groups": groups, "roles": keys, "active": active,
            "eligible": eligible, "defs": defs,
            "guest": guest, "guests": {v for v in views if v is not None}, "views": views,
            "excluding_groups": groups if excluding_groups is None else excluding_groups,
            "excluding_roles": keys if not recs else role_keys(directory_wide),
            "home": home.casefold() if home else None}


# ---------------------------------------------------------------- the conditions
def _guest(spec: pa.GuestsOrExternalUsers | None, user: dict[str, Any],
           *, excluding: bool = False) -> bool | None:
    """Inclusion: any source's guest type; exclusion: every source's."""
    results = [_guest_type(spec, v, user) for v in
               (user["views"] if excluding else sorted(user["guests"]))]
    if excluding:
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


def _guest_type(spec: pa.GuestsOrExternalUsers | None, guest: str | None,
                user: dict[str, Any]) -> bool | None:
    if spec is None or guest is None:
        return False
    if guest not in _f(spec.guest_or_external_user_types) - {"none"}:
        return False
    tenants = spec.external_tenants
    kind = tenants.membership_kind.casefold() if tenants else "all"
    if kind == "all":
        return True
    if kind != "enumerated" or user["home"] is None:
        return None
    return user["home"] in _f(tenants.members)  # type: ignore[union-attr]


def _users(p: pa.Policy, user: dict[str, Any]) -> bool | None:
    c = p.conditions.users
    inc_users = _f(c.include_users) if c else set()
    has_users = bool(c) and bool(inc_users - {"none"} or c.include_groups  # type: ignore[union-attr]
                                 or c.include_roles  # type: ignore[union-attr]
                                 or _f(c.include_guests_or_external_users  # type: ignore[union-attr]
                                       .guest_or_external_user_types
                                       if c.include_guests_or_external_users  # type: ignore[union-attr]
                                       else ()) - {"none"})
    ca = p.conditions.client_applications
    if not has_users and ca is not None and ca.include_service_principals:
        return False
    if c is None:
        return False
    ex_users = _f(c.exclude_users)
    if user["id"] in ex_users or user["excluding_groups"] & _f(c.exclude_groups) or \
            user["excluding_roles"] & _f(c.exclude_roles):
        return False
    if "guestsorexternalusers" in ex_users and None not in user["views"]:
        return False
    ex_guest = _guest(c.exclude_guests_or_external_users, user, excluding=True)
    if ex_guest:
        return False
    inc_groups, inc_roles = _f(c.include_groups), _f(c.include_roles)
    included: bool | None = (
        "all" in inc_users or user["id"] in inc_users or bool(user["groups"] & inc_groups)
        or bool(user["roles"] & inc_roles) or (bool(user["groups"]) and "all" in inc_groups)
        or (bool(user["roles"]) and "all" in inc_roles)
        or ("guestsorexternalusers" in inc_users and bool(user["guests"])))
    if not included:
        included = _guest(c.include_guests_or_external_users, user)
    if included is not False and ex_guest is None:
        return None
    return included


def _platform(p: pa.Policy, s: pa.SessionState) -> bool | None:
    c = p.conditions.platforms
    inc = _f(c.include_platforms) if c else set()
    exc = _f(c.exclude_platforms) if c else set()
    if (not inc or "all" in inc) and not exc:
        return True
    if s.device_platform is None:
        return None
    plat = s.device_platform.casefold()
    if plat in PLATFORMS and plat in exc:
        return False
    return not inc or "all" in inc or (plat in PLATFORMS and plat in inc)


def _in_location(t: pa.Tenant, loc_id: str, s: pa.SessionState) -> bool | None:
    loc = next((n for n in t.named_locations if n.id == loc_id), None)
    if loc is None:
        return None
    if isinstance(loc, pa.IpNamedLocation):
        if s.ip_address is None:
            return None
        try:
            return any(r.contains(s.ip_address) for r in loc.ip_ranges)
        except ValueError:
            return None
    if isinstance(loc, pa.CountryNamedLocation):
        method = loc.country_lookup_method
        value = s.country if method == "clientIpAddress" else \
            s.gps_country if method == "authenticatorAppGps" else None
        if value is None or not (value.casefold() == "unknown" or (
                len(value) == 2 and value.isalpha())):
            return None
        if value.casefold() == "unknown":
            return loc.include_unknown_countries_and_regions
        return value.casefold() in _f(loc.countries_and_regions)
    return None


def _match(t: pa.Tenant, ids: Iterable[str], s: pa.SessionState) -> bool | None:
    verdict: bool | None = False
    for loc in ids:
        if loc.casefold() == "all":
            return True
        targets = [n.id for n in t.named_locations if n.is_trusted] \
            if loc.casefold() == "alltrusted" else [loc]
        for target in targets:
            hit = _in_location(t, target, s)
            if hit:
                return True
            if hit is None:
                verdict = None
    return verdict


def _location(t: pa.Tenant, p: pa.Policy, s: pa.SessionState) -> bool | None:
    c = p.conditions.locations
    if c is None or not (c.include_locations or c.exclude_locations):
        return True
    inc = _match(t, c.include_locations, s) if c.include_locations else True
    exc = _match(t, c.exclude_locations, s) if c.exclude_locations else False
    if inc is False or exc is True:
        return False
    if inc is None or exc is None:
        return None
    return True


def _client(p: pa.Policy, s: pa.SessionState) -> bool:
    types = _f(p.conditions.client_app_types)
    if not types or "all" in types:
        return True
    kind = s.client_app_type.casefold()
    eas = {"exchangeactivesync", "eassupported"}
    return kind in types or (kind in eas and bool(types & eas))


def _risk(levels: tuple[str, ...], value: str) -> bool:
    return not levels or value.casefold() in _f(levels)


def _flow(p: pa.Policy, s: pa.SessionState) -> bool:
    flows = p.conditions.authentication_flows
    wanted = _f(flows.transfer_methods) - {"none"} if flows else set()
    if not wanted:
        return True
    return s.authentication_flow is not None and s.authentication_flow.casefold() in wanted


def _devices(p: pa.Policy, s: pa.SessionState) -> bool | None:
    d = p.conditions.devices
    flt = d.device_filter if d else None
    if flt is not None:
        try:
            parsed = parse_device_filter(flt.rule)
        except DeviceFilterSyntaxError:
            return None
        mode = flt.mode.casefold()
        if mode not in ("include", "exclude"):
            return None
        props = None if s.device is None else s.device.filter_properties()
        if parsed.matches(props) == (mode == "exclude"):  # type: ignore[arg-type]
            return False
    states = p.conditions.device_states
    inc = _f((d.include_device_states if d else ()) + (states.include_states if states else ()))
    exc = _f((d.exclude_device_states if d else ()) + (states.exclude_states if states else ()))
    have = set()
    if s.device is not None and s.device.is_compliant:
        have.add("compliant")
    if s.device is not None and s.device.is_hybrid_joined:
        have.add("domainjoined")
    if have & exc:
        return False
    return not (inc and "all" not in inc and not have & inc)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _configured(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, (str, tuple)):
        return bool(v)
    if isinstance(v, pa._frozen.FrozenDict):
        return any(_configured(x) for x in v.values())
    return True


def _unknown(p: pa.Policy) -> bool:
    c = p.conditions
    parts = [c] + [getattr(c, n) for n in ("users", "applications", "platforms", "locations",
                                          "devices", "client_applications",
                                          "authentication_flows", "device_states")]
    for part in parts:
        if part is None:
            continue
        names = {_camel(f.name).casefold() for f in attrs.fields(type(part))}
        for k, v in part.unmodelled.items():
            if "@" not in k and not k.startswith("#") and k.casefold() not in names \
                    and _configured(v):
                return True
    return False


def _applies(t: pa.Tenant, p: pa.Policy, s: pa.SessionState, user: dict[str, Any],
             context: str) -> tuple[bool, str | None, bool]:
    c = p.conditions
    ctx = context in (c.applications.include_authentication_context_class_references
                      if c.applications else ())
    users = _users(p, user)
    checks: list[tuple[str, bool | None]] = [
        ("workloadIdentities" if users is False and _workload(p) else "users", users),
        ("authenticationContext", ctx),
        ("devicePlatform", _platform(p, s)),
        ("location", _location(t, p, s)),
        ("clientApps", _client(p, s)),
        ("signInRisk", _risk(c.sign_in_risk_levels, s.sign_in_risk_level)),
        ("userRisk", _risk(c.user_risk_levels, s.user_risk_level)),
        ("insiderRisk", _risk(c.insider_risk_levels, s.insider_risk_level)),
        ("authenticationFlow", _flow(p, s)),
        ("devices", _devices(p, s)),
        ("invalidCondition", None if _unknown(p) else True),
    ]
    undetermined = False
    for name, verdict in checks:
        if verdict is False:
            return False, name, False
        if verdict is None:
            undetermined = True
    return True, None, undetermined


def _workload(p: pa.Policy) -> bool:
    c = p.conditions.users
    inc = _f(c.include_users) - {"none"} if c else set()
    has = bool(c) and bool(inc or c.include_groups or c.include_roles  # type: ignore[union-attr]
                           or (c.include_guests_or_external_users  # type: ignore[union-attr]
                               and _f(c.include_guests_or_external_users  # type: ignore[union-attr]
                                      .guest_or_external_user_types) - {"none"}))
    ca = p.conditions.client_applications
    return not has and ca is not None and bool(ca.include_service_principals)


# --------------------------------------------------------------------- the grant
def _window(p: pa.Policy) -> timedelta | None:
    sif = p.session_controls.sign_in_frequency if p.session_controls else None
    if sif is None or sif.is_enabled is False:
        return None
    if (sif.frequency_interval or "").casefold() == "everytime":
        return timedelta(minutes=5)
    unit = (sif.type or "").casefold()
    if sif.value is None or unit not in ("hours", "days"):
        return timedelta(minutes=5)
    return timedelta(hours=sif.value) if unit == "hours" else timedelta(days=sif.value)


def _strengths(t: pa.Tenant) -> dict[str, pa.AuthenticationStrength]:
    out = {}
    for p in sorted(t.policies, key=lambda p: p.id):
        g = p.grant_controls
        if g is not None and g.embedded_authentication_strength is not None:
            out[g.embedded_authentication_strength.id] = g.embedded_authentication_strength
    out.update({s.id: s for s in t.all_authentication_strengths})
    return out


def _grant(t: pa.Tenant, p: pa.Policy, s: pa.SessionState
           ) -> tuple[bool, list[tuple[str, tuple[tuple[str, str | None], ...]]]]:
    g = p.grant_controls
    if g is not None and "block" in _f(g.built_in_controls):
        return True, []
    window = _window(p)
    auths = [a for a in s.authentications if a.at <= s.at
             and (window is None or a.at > s.at - window)]
    no_device = (s.authentication_flow or "").casefold() == "devicecodeflow"
    controls: list[tuple[str, str | None, bool]] = []
    if g is not None:
        strengths = _strengths(t)
        for name in g.built_in_controls:
            kind = KNOWN_CONTROLS.get(name.casefold(), "unknownControl")
            detail = name if kind == "unknownControl" else None
            met = {
                "mfa": any(pa.MFA_STRENGTH.allows(a.methods, a.fido2_aaguid) for a in auths),
                "compliantDevice": s.device is not None and s.device.is_compliant is True
                and not no_device,
                "domainJoinedDevice": s.device is not None and s.device.is_hybrid_joined
                and not no_device,
                "approvedApplication": s.is_approved_client_app,
                "compliantApplication": s.has_app_protection_policy,
                "passwordChange": _changed_during_sign_in(s),
                "unknownControl": False,
            }[kind]
            controls.append((kind, detail, met))
        if g.authentication_strength is not None:
            strength = strengths.get(g.authentication_strength)
            if strength is None:
                controls.append(("unknownControl", g.authentication_strength, False))
            else:
                controls.append(("authenticationStrength", strength.id, any(
                    strength.allows(a.methods, a.fido2_aaguid) for a in auths)))
        controls += [("termsOfUse", x, x in s.accepted_terms_of_use) for x in g.terms_of_use]
        controls += [("customControl", x, x in s.satisfied_custom_controls)
                     for x in g.custom_authentication_factors]
    unmet = sorted(((k, d) for k, d, met in controls if not met),
                   key=lambda c: (PROMPT[c[0]], c[0], c[1] or ""))
    reqs: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
    if g is not None and g.operator.upper() != "OR":
        reqs = [(p.id, (c,)) for c in unmet]
    elif controls and not any(met for *_, met in controls):
        reqs = [(p.id, tuple(unmet))]
    if window is not None and not auths and not any(
            k in ("mfa", "authenticationStrength") for _, opts in reqs for k, _ in opts):
        reqs.append((p.id, (("reauthentication", None),)))
    return False, reqs


# ------------------------------------------------------------------- the decision
def _result(state: str, applies: bool, blocked: bool,
            reqs: list[tuple[str, tuple[tuple[str, str | None], ...]]]) -> str:
    report = state == "enabledForReportingButNotEnforced"
    if not applies:
        return "reportOnlyNotApplied" if report else "notApplied"
    if not blocked and not reqs:
        return "reportOnlySuccess" if report else "success"
    if report:
        interactive = all(any(k in INTERACTIVE for k, _ in opts) for _, opts in reqs)
        return "reportOnlyInterrupted" if not blocked and interactive else "reportOnlyFailure"
    return "failure"


def _empty(p: pa.Policy) -> bool:
    """Entra's ``emptyPolicy``: no grant control and no session control (a
    ``grantControls`` of the wrong type is kept raw and is not empty)."""
    g = p.grant_controls
    if g is None:
        raw = p.unmodelled.get("grantControls")
        grant_empty = raw is None or isinstance(raw, Mapping)
    else:
        grant_empty = not (g.built_in_controls or g.custom_authentication_factors
                           or g.terms_of_use or g.authentication_strength
                           or g.embedded_authentication_strength is not None
                           or any(_configured(v) for k, v in g.unmodelled.items()
                                  if "@" not in k))
    c = p.session_controls
    session_empty = c is None or (c.sign_in_frequency is None
                                  and not any(_configured(v) for v in c.others.values()))
    return grant_empty and session_empty


def reference_evaluate(t: pa.Tenant, s: pa.SessionState, action: str) -> RefDecision:
    """DESIGN §4, steps 1 to 6, for one protected action."""
    permission = pa.Permission(action)
    user = _user(t, s)

    def grants(roles: set[str]) -> bool:
        return any((d := user["defs"].get(r.casefold())) is not None and d.grants(permission)
                   for r in roles)

    context = next((a.context_id for a in t.protected_actions
                    if a.permission.key == permission.key), None)
    if not grants(user["active"]):
        code = "ROLE_NOT_ACTIVE" if grants(user["eligible"]) else "NOT_AUTHORIZED"
        return RefDecision("deny", frozenset({(code, None)}), (), True, {})
    if context is None:
        return RefDecision("allow", frozenset({("NOT_PROTECTED", None)}), (), True, {})
    targeting = [p for p in t.policies
                 if p.conditions.applications is not None
                 and context in p.conditions.applications
                 .include_authentication_context_class_references]
    if permission.is_directory and not any(p.state == "enabled" and not _empty(p)
                                           for p in targeting):
        return RefDecision("deny", frozenset({("CONTEXT_NOT_ENFORCED", None)}), (), True, {})
    results: dict[str, RefPolicy] = {}
    blocked, unmet, undetermined = [], [], []
    applying = 0
    for p in sorted(t.policies, key=lambda p: p.id):
        if p.state == "disabled":
            results[p.id] = RefPolicy(False, "notEnabled", "policyNotEnabled", False)
            continue
        if _empty(p):
            results[p.id] = RefPolicy(False, _result(p.state, False, False, []),
                                      "emptyPolicy", False)
            continue
        applies, reason, und = _applies(t, p, s, user, context)
        is_blocked, reqs = _grant(t, p, s) if applies else (False, [])
        results[p.id] = RefPolicy(applies, _result(p.state, applies, is_blocked, reqs),
                                  reason, und)
        if not applies or p.state == "enabledForReportingButNotEnforced":
            continue
        applying += 1
        if und:
            undetermined.append(p.id)
        if is_blocked:
            blocked.append(p.id)
        elif reqs:
            unmet.append((p.id, reqs))
    side = {("UNDETERMINED_CONDITION", pid) for pid in undetermined}
    side |= {("UNKNOWN_POLICY_STATE", p.id) for p in t.policies
             if p.state not in ("enabled", "disabled", "enabledForReportingButNotEnforced")
             and results[p.id].applies}
    side |= {("POLICY_ISSUE", p.id) for p in t.policies if results.get(p.id, RefPolicy(
        False, "", None, False)).applies and p.state not in (
        "disabled", "enabledForReportingButNotEnforced") and _bad_filter(p)}
    complete = not undetermined
    if blocked:
        return RefDecision("deny", frozenset({("BLOCKED_BY_POLICY", b) for b in blocked}) | side,
                           (), complete, results)
    if not unmet:
        code = "ALL_POLICIES_SATISFIED" if applying else "NO_POLICY_APPLIES"
        return RefDecision("allow", frozenset({(code, None)}) | side, (), complete, results)
    reqs = tuple(sorted((r for _, rs in unmet for r in rs),
                        key=lambda r: ((PROMPT[r[1][0][0]], r[1][0][0], r[1][0][1] or ""), r[0])))
    hard = [pid for pid, rs in unmet
            if not all(any(k in INTERACTIVE for k, _ in opts) for _, opts in rs)]
    if hard:
        return RefDecision("deny", frozenset({("REQUIREMENT_NOT_INTERACTIVE", h) for h in hard})
                           | side, (), complete, results)
    if s.client_app_type.casefold() in LEGACY or not s.supports_claims_challenge:
        return RefDecision("deny", frozenset({("CLIENT_CANNOT_STEP_UP", None)}) | side, (),
                           complete, results)
    return RefDecision("challenge", frozenset({("STEP_UP_REQUIRED", pid) for pid, _ in unmet})
                       | side, reqs, complete, results)


def _bad_filter(p: pa.Policy) -> bool:
    d = p.conditions.devices
    if d is None or d.device_filter is None:
        return False
    if d.device_filter.mode.casefold() not in ("include", "exclude"):
        return True
    try:
        parse_device_filter(d.device_filter.rule)
    except DeviceFilterSyntaxError:
        return True
    return False


def _changed_during_sign_in(s: pa.SessionState) -> bool:
    """A password change counts only when made during this sign-in: between the
    latest authentication (not after ``s.at``) and ``s.at``, compared in UTC."""
    if s.password_changed_at is None:
        return False
    at = s.at.astimezone(timezone.utc)
    changed = s.password_changed_at.astimezone(timezone.utc)
    times = [a.at.astimezone(timezone.utc) for a in s.authentications]
    past = [t for t in times if t <= at]
    return bool(past) and max(past) <= changed <= at
