"""The lint rules about contexts, policies and references (PA120-PA172).

They read the tenant and its compiled index, the same data the evaluator decides
with (``enforced_contexts``, compiled grant controls, parsed device filters), so a
finding says what the evaluator will do, not what a second reading of the JSON
suggests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from protected_actions.engine.compile import CompiledPolicy, CompiledTenant, compiled
from protected_actions.engine.conditions import Request, UserFacts, check_platform
from protected_actions.engine.decision import ControlKind
from protected_actions.model.contexts import AUTH_CONTEXT_ID_PATTERN
from protected_actions.model.locations import CountryNamedLocation
from protected_actions.model.policy import Policy
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._lint_catalog import Finding, finding
from .lockout import ANALYSIS_TIME

__all__ = ["POLICY_LIMIT", "context_findings", "policy_findings", "reference_findings"]

POLICY_LIMIT = 240
"""Conditional Access policies per tenant, every state counted (entra-facts §6.10)."""

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_GUID_SHAPED = re.compile(r"\w{8}-\w{4}-\w{4}-\w{4}-\w{12}")
_PLACEHOLDER = re.compile(r"<[^<>]+>|\{\{[^{}]*\}\}|%[^%\s]+%|\$\{[^{}]*\}")
_CONTEXT_ID = re.compile(AUTH_CONTEXT_ID_PATTERN)


def _label(policy: Policy) -> str:
    name = policy.display_name
    return f"{name!r} ({policy.id})" if name and name != policy.id else repr(policy.id)


def _ids(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


# -- contexts: PA120, PA121, PA122, PA123, PA160 -----------------------------------------


def _not_enabled(index: CompiledTenant, context: str) -> list[CompiledPolicy]:
    return [cp for cp in index.compiled if context in cp.contexts
            and cp.state in ("reportOnly", "disabled")]


def _state_list(policies: Sequence[CompiledPolicy]) -> str:
    names = {"reportOnly": "report-only", "disabled": "disabled"}
    return ", ".join(f"{cp.id} ({names[cp.state]})" for cp in policies)


def context_findings(tenant: Tenant) -> list[Finding]:
    """PA120-PA123 per context protected actions map to; PA160 per targeted context."""
    index = compiled(tenant)
    defined = {c.id: c for c in tenant.auth_contexts}
    by_context: dict[str, list[str]] = {}
    for action in tenant.protected_actions:
        by_context.setdefault(action.context_id, []).append(action.permission.value)
    out: list[Finding] = []
    for context, permissions in sorted(by_context.items()):
        directory = sorted(p for p in permissions if ascii_lower(p).startswith(
            "microsoft.directory/"))
        own = sorted(p for p in permissions if p not in directory)
        if context not in defined:
            # entra-facts §1.2, §2.1: contexts are created, then published, then mapped.
            out.append(finding(
                "PA121",
                f"Protected actions are mapped to auth context {context}, which the tenant "
                f"does not define: {_ids(permissions)}.",
                f"Create auth context {context} (with Publish to apps checked) or map the "
                "permissions to a context that exists.",
                (context, *sorted(permissions))))
        elif not defined[context].is_available:
            # entra-facts §1.3, §2.1: isAvailable is Publish to apps.
            out.append(finding(
                "PA122",
                f"Auth context {context} protects {_ids(permissions)} but is not published "
                "to apps (isAvailable is false).",
                f"Check Publish to apps on auth context {context} (isAvailable true); "
                "unpublished contexts cannot be selected for protected actions.",
                (context, *sorted(permissions))))
        if context in index.enforced_contexts:
            continue
        off = _not_enabled(index, context)
        verb = "targets" if len(off) == 1 else "target"
        why = (f"only {_state_list(off)} {verb} it" if off
               else "no policy targets it")
        if directory:
            # entra-facts §1.2, §1.3: a missing, Off or report-only policy is never satisfied.
            out.append(finding(
                "PA120",
                f"Auth context {context} protects {_ids(directory)}, but {why}: the "
                "requirement is never satisfied and users are asked to reauthenticate "
                "endlessly.",
                f"Create a policy for auth context {context}, or set the existing one to "
                "On, before mapping protected actions to it. "
                "If you are locked out of the Conditional Access page by the loop, open "
                "it through https://aka.ms/MSALProtectedActions.",
                (context, *directory)))
        if own:
            # entra-facts §2.6: a requested context with no policy is issued.
            out.append(finding(
                "PA123",
                f"Auth context {context} protects the application permissions "
                f"{_ids(own)}, but {why}: Entra issues the context to a client that asks "
                "for it without any requirement, so the protection does nothing.",
                f"Create an enabled policy for auth context {context}.",
                (context, *own)))
    out.extend(_only_not_enabled(index))
    return out


def _only_not_enabled(index: CompiledTenant) -> Iterator[Finding]:
    targeted = sorted({c for cp in index.compiled for c in cp.contexts})
    for context in targeted:
        if context in index.enforced_contexts:
            continue
        off = _not_enabled(index, context)
        if not off:
            continue
        # entra-facts §1.3, §6.3, §11: report-only counts as not created; no PIM fallback.
        yield finding(
            "PA160",
            f"Auth context {context} is targeted only by policies that are not enabled: "
            f"{_state_list(off)}. Report-only and disabled policies are never enforced: "
            "a protected action on it is never satisfied, and PIM activation that "
            "requires it falls back to no requirement at all.",
            f"Set a policy that targets auth context {context} to On once its report-only "
            "results look right.",
            (context, *(cp.id for cp in off)),
            off[0].id if len(off) == 1 else None)


# -- policies: PA130, PA131, PA150, PA161, PA170, PA171, PA172 --------------------------


def _probe(index: CompiledTenant, platform: str) -> Request:
    facts = UserFacts(id="lint", groups=frozenset(), role_keys=frozenset(), guest_type=None,
                      home_tenant=None)
    session = SessionState(at=ANALYSIS_TIME, user=User(id="lint"), device_platform=platform)
    return Request(index=index, session=session, user=facts, target_kind="application",
                   target="lint")


def _prompting_report_only(tenant: Tenant, cp: CompiledPolicy) -> Finding | None:
    index = compiled(tenant)
    reasons = []
    subjects: list[str] = []
    if any(c.control.kind is ControlKind.COMPLIANT_DEVICE for c in cp.controls):
        platforms = [p for p in ("android", "iOS", "macOS")
                     if check_platform(cp, _probe(index, p))[0] is not False]
        if platforms:
            reasons.append("it requires a compliant device, which still shows device "
                           f"certificate prompts on {', '.join(platforms)}")
    locations = {loc.id: loc for loc in tenant.named_locations}
    gps = sorted(i for i in (*cp.include_locations, *cp.exclude_locations)
                 if isinstance(loc := locations.get(i), CountryNamedLocation)
                 and ascii_lower(loc.country_lookup_method) == "authenticatorappgps")
    if gps:
        reasons.append("it uses GPS-based country locations, which still prompt for the "
                       "location and may block the sign-in")
        subjects += gps
    if not reasons:
        return None
    # entra-facts §4.2, §6.3: the documented report-only side effects.
    return finding(
        "PA161",
        f"Report-only policy {_label(cp.policy)} still interrupts users: "
        + "; ".join(reasons) + ".",
        "Exclude the android, iOS and macOS platforms from report-only compliant-device "
        "policies, and do not leave GPS-based locations in report-only policies.",
        (cp.id, *subjects), cp.id)


def _unreadable_filter(cp: CompiledPolicy) -> Finding | None:
    flt = cp.device_filter
    if flt is None or (flt.parsed is not None and flt.mode_known):
        return None
    if flt.parsed is None:
        what = f"has a device filter rule that does not parse:\n    {flt.error}"
        fix = ("Correct the rule with the device filter syntax (at most 3,072 characters); "
               "Entra rejects a rule it cannot parse.")
    else:
        mode = cp.policy.conditions.devices.device_filter.mode  # type: ignore[union-attr]
        what = f"has a device filter mode {mode!r} that is neither include nor exclude"
        fix = "Set the device filter mode to include or exclude."
    # entra-facts §7: the rule language and its 3,072-character limit; §3.8 the modes.
    return finding(
        "PA170",
        f"Policy {_label(cp.policy)} {what}\nThe evaluator treats the device condition as "
        "undetermined, so the policy applies to every device (fail-closed).",
        fix,
        (cp.id,), cp.id)


def _unchecked_controls(cp: CompiledPolicy) -> Finding | None:
    grant = cp.policy.grant_controls
    problems: list[str] = []
    subjects: list[str] = []
    entra_controls: list[str] = []
    for control in cp.controls:
        c = control.control
        if c.kind is ControlKind.UNKNOWN_CONTROL and c.detail is not None:
            subjects.append(c.detail)
            if grant is not None and c.detail == grant.authentication_strength:
                problems.append(f"authentication strength {c.detail!r}, which the tenant "
                                "does not define")
            elif c.detail.lower() in _ENTRA_CONTROLS_NOT_MODELLED:
                entra_controls.append(c.detail)
                problems.append(f"Entra's grant control {c.detail!r}, which the evaluator "
                                "does not model")
            else:
                problems.append(f"grant control {c.detail!r}, which the evaluator does not "
                                "know")
        strength = control.strength
        if strength is not None:
            kinds = sorted({cfg.kind for cfg in strength.combination_configurations
                            if cfg.kind != "fido2"})
            if kinds:
                subjects.append(strength.id)
                problems.append(f"authentication strength {strength.display_name!r} "
                                f"({strength.id}), restricted by {', '.join(kinds)} "
                                "configurations the evaluator cannot check (those "
                                "combinations never satisfy it)")
    if not problems:
        return None
    # DESIGN §4.7, entra-facts §5.4: unknown controls and unchecked configurations fail closed.
    if entra_controls and len(entra_controls) == len(problems):
        fix = (f"{_ids(entra_controls)} is a real Entra control that this evaluator does "
               "not model: keep it if it is intended, expect decisions to deny where the "
               "policy applies, and suppress this finding with a reason in the "
               "configuration once that is understood.")
    else:
        fix = ("Add the missing authentication strength to the tenant, or replace the "
               "control with one the evaluator models (built-in controls, authentication "
               "strengths, terms of use); expect decisions to deny where such a control "
               "applies.")
    return finding(
        "PA171",
        f"Policy {_label(cp.policy)} requires what the evaluator cannot check: "
        + "; ".join(problems) + ". It is decided fail-closed: an unmet requirement no "
        "prompt can satisfy.", fix, (cp.id, *subjects), cp.id)


_ENTRA_CONTROLS_NOT_MODELLED = frozenset({"riskremediation"})
"""Built-in grant controls Graph documents that the evaluator does not model
(``riskRemediation``: https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols)."""


def _has(values: Iterable[str], name: str) -> bool:
    return any(ascii_lower(v) == ascii_lower(name) for v in values)


def policy_findings(tenant: Tenant) -> list[Finding]:
    """PA130, PA131, PA150, PA161, PA170, PA171 and PA172."""
    index = compiled(tenant)
    out: list[Finding] = []
    if len(tenant.policies) > POLICY_LIMIT:
        # entra-facts §6.10: 240 policies per tenant, every state counted.
        out.append(finding(
            "PA150",
            f"The tenant has {len(tenant.policies)} Conditional Access policies; Entra "
            f"allows {POLICY_LIMIT} per tenant, counting every state (on, off, report-only).",
            "Merge policies that share conditions, delete disabled ones you no longer need, "
            "and use groups rather than one policy per audience.",
            ()))
    for cp in index.compiled:
        policy, grant = cp.policy, cp.policy.grant_controls
        if grant is not None and _has(grant.built_in_controls, "mfa") and \
                grant.authentication_strength is not None:
            # entra-facts §5.5, §6.9: mfa and a strength cannot share a policy.
            out.append(finding(
                "PA130",
                f"Policy {_label(policy)} requires both mfa and authentication strength "
                f"{grant.authentication_strength}; Entra does not accept the two in one "
                "policy (the built-in MFA strength is the mfa control).",
                "Keep only the authentication strength (use the built-in Multifactor "
                "authentication strength 00000000-0000-0000-0000-000000000002 where mfa "
                "was meant).",
                (cp.id,), cp.id))
        users = policy.conditions.users
        if cp.contexts and users is not None and users.include_roles:
            # entra-facts §11, §6.2: during activation the user holds no role yet.
            out.append(finding(
                "PA131",
                f"Policy {_label(policy)} targets auth context {_ids(cp.contexts)} and "
                f"directory roles ({_ids(users.include_roles)}); if the context is required "
                "for PIM role activation, the policy never applies: during activation the "
                "user does not hold the role yet.",
                "Scope the auth context policy to all users or to the eligible users "
                "(a group), and govern role use with a second policy that targets the "
                "roles.",
                (cp.id, *sorted(cp.contexts)), cp.id))
        if cp.state == "reportOnly":
            prompting = _prompting_report_only(tenant, cp)
            if prompting is not None:
                out.append(prompting)
        for check in (_unreadable_filter, _unchecked_controls):
            found = check(cp)
            if found is not None:
                out.append(found)
        if grant is not None and _has(grant.built_in_controls, "approvedApplication"):
            # entra-facts §6.11: the approved client app grant retires in March 2026.
            out.append(finding(
                "PA172",
                f"Policy {_label(policy)} requires an approved client app; that grant "
                "control is retired (early March 2026).",
                "Require an app protection policy (compliantApplication) instead.",
                (cp.id,), cp.id))
    return out


# -- references: PA140, PA141 -----------------------------------------------------------

_USER_KEYWORDS = frozenset({"all", "none", "guestsorexternalusers", "allagentidusers"})
_ALL = frozenset({"all"})
_LOCATION_KEYWORDS = frozenset({"all", "alltrusted"})
_APP_KEYWORDS = frozenset({"all", "none", "office365", "microsoftadminportals",
                           "allagentidresources"})
_SP_KEYWORDS = frozenset({"all", "none", "serviceprincipalsinmytenant"})


def _what_text(value: str) -> str | None:
    """Why ``value`` is a placeholder, whatever the tenant defines; else ``None``."""
    if _PLACEHOLDER.search(value):
        return "a placeholder"
    if _GUID_SHAPED.fullmatch(value) and not _GUID.fullmatch(value):
        return "a pseudo-GUID placeholder"
    return None


def _not_an_id(value: str) -> str:
    if "@" in value:
        return "a user principal name"
    if any(ch.isspace() for ch in value):
        return "a display name"
    return "not a GUID"


def _slots(tenant: Tenant, policy: Policy
           ) -> Iterator[tuple[str, Iterable[str], frozenset[str], frozenset[str] | None, bool]]:
    """``(kind, values, keywords, ids the tenant defines or None, GUID expected)``."""
    c = policy.conditions
    users = c.users
    if users is not None:
        yield ("user", (*users.include_users, *users.exclude_users), _USER_KEYWORDS,
               frozenset(ascii_lower(u.id) for u in tenant.users), True)
        yield ("group", (*users.include_groups, *users.exclude_groups), _ALL,
               frozenset(ascii_lower(g.id) for g in tenant.groups), True)
        roles = {ascii_lower(r.id) for r in tenant.all_role_definitions} | {
            ascii_lower(r.template_id) for r in tenant.all_role_definitions if r.template_id}
        yield ("role", (*users.include_roles, *users.exclude_roles), _ALL,
               frozenset(roles), True)
    if c.locations is not None:
        yield ("named location", (*c.locations.include_locations,
                                  *c.locations.exclude_locations), _LOCATION_KEYWORDS,
               frozenset(ascii_lower(n.id) for n in tenant.named_locations), True)
    if c.applications is not None:
        apps = c.applications
        yield ("application", (*apps.include_applications, *apps.exclude_applications),
               _APP_KEYWORDS, None, True)
        yield ("auth context", apps.include_authentication_context_class_references,
               frozenset(), frozenset(ascii_lower(x.id) for x in tenant.auth_contexts), False)
    if c.client_applications is not None:
        sps = c.client_applications
        yield ("service principal", (*sps.include_service_principals,
                                     *sps.exclude_service_principals), _SP_KEYWORDS, None, True)
    grant = policy.grant_controls
    if grant is not None:
        strengths = {ascii_lower(s.id) for s in compiled(tenant).strengths.values()}
        yield ("authentication strength", (grant.authentication_strength,)
               if grant.authentication_strength else (), frozenset(), frozenset(strengths),
               True)
        yield ("terms of use", grant.terms_of_use, frozenset(), None, True)


def _malformed(tenant: Tenant, policy: Policy) -> list[tuple[str, str, str]]:
    """``(kind, value, what it is)`` for every value where an id belongs that is a
    placeholder, or an undefined value that is not an id at all."""
    found = []
    for kind, values, keywords, defined, guid in _slots(tenant, policy):
        for value in values:
            folded = ascii_lower(value)
            what = _what_text(value)
            if what is None and folded not in keywords and \
                    (defined is None or folded not in defined):
                well_formed = _GUID.fullmatch(value) if guid else _CONTEXT_ID.fullmatch(value)
                if not well_formed:
                    what = _not_an_id(value) if guid else "not an auth context id (c1-c99)"
            if what is not None:
                found.append((kind, value, what))
    return sorted(set(found))


_KIND_NAMES = {"user": "user", "group": "group", "role": "role",
               "namedLocation": "named location", "authContext": "auth context",
               "authenticationStrength": "authentication strength"}


_PLURALS = {"auth context": "auth contexts", "group": "groups", "named location":
            "named locations", "role": "roles", "user": "users"}


def _unresolved_finding(kind: str, refs: Mapping[str, list[Policy]]) -> Finding:
    """PA140 for one kind: every id of that kind the tenant lacks, with the policies
    naming each."""
    policies = {p.id: p for ps in refs.values() for p in ps}
    listed = "; ".join(f"{value} ({', '.join(sorted(p.id for p in refs[value]))})"
                       for value in sorted(refs))
    noun = kind if len(refs) == 1 else _PLURALS.get(kind, kind + "s")
    only = next(iter(policies)) if len(policies) == 1 else None
    return finding(
        "PA140",
        f"{len(refs)} {noun} the tenant does not define, referenced by "
        f"{len(policies)} polic{'y' if len(policies) == 1 else 'ies'}: {listed}. "
        "The evaluator decides them fail-closed: an unknown group or "
        "role has no members, an unknown named location leaves the location "
        "undetermined, an unknown auth context is never requested.",
        "Export the missing objects with the policies (users, groups, "
        "roleDefinitions, namedLocations, authenticationContextClassReferences), "
        "or remove the stale references from the policies.",
        (*sorted(refs), *sorted(policies)), only)


def reference_findings(tenant: Tenant) -> list[Finding]:
    """PA141 per policy with values that are not ids; PA140 per kind (group, user,
    role, named location, auth context) listing every id the tenant does not define
    and the policies naming it (an unknown authentication strength is PA171: the
    evaluator cannot check it)."""
    malformed = {p.id: _malformed(tenant, p) for p in tenant.policies}
    keywords = {"user": _USER_KEYWORDS, "group": _ALL, "role": _ALL}
    unresolved: dict[str, dict[str, list[Policy]]] = {}
    for policy_id, kind, value in tenant.unresolved_references():
        if kind == "authenticationStrength" or \
                ascii_lower(value) in keywords.get(kind, frozenset()) or \
                any(value == bad for _, bad, _ in malformed[policy_id]):
            continue
        naming = unresolved.setdefault(_KIND_NAMES.get(kind, kind), {}).setdefault(value, [])
        policy = tenant.policy(policy_id)
        if policy not in naming:
            naming.append(policy)
    out = [_unresolved_finding(kind, refs) for kind, refs in sorted(unresolved.items())]
    for policy in tenant.policies:
        bad = malformed[policy.id]
        if bad:
            listed = "; ".join(f"{kind} {value!r} ({what})" for kind, value, what in bad)
            out.append(finding(
                "PA141",
                f"Policy {_label(policy)} has values where Graph expects ids: {listed}.",
                "Replace each value with the object's id (a GUID; c1-c99 for auth "
                "contexts) before importing the policy; placeholders and display names "
                "match nothing.",
                (policy.id, *sorted({value for _, value, _ in bad})), policy.id))
    return out
