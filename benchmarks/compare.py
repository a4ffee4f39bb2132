"""Side-by-side comparison with the engines a Python user would otherwise pick.

Generates the anchors' workload (``benchmarks/_workload.py``), encodes it for

1. this library (``protected_actions.evaluate``),
2. a naive Python loop over the Graph-shaped policy dicts (plain loops, early exit;
   and the same loop listing every unmet requirement, no early exit),
3. Cedar through cedarpy (``is_authorized`` per call, the policy set parsed once,
   the principal entity and the context converted on every call), and
4. Casbin through pycasbin (``enforce()`` over data rows with one fixed matcher),

checks that every engine agrees with this library on every request (exact
allow / challenge / deny for the naive loop, allow vs not-allow for Cedar and
Casbin, which answer only that), and only then times each engine per decision.
An engine that is not installed is skipped, and the table says so.

Run from the repository root::

    python benchmarks/compare.py              # N = 10, 50, 195; 10,000 requests
    python benchmarks/compare.py --rounds 3   # median of three rounds
    python benchmarks/compare.py --smoke      # a few hundred requests, agreement only

The optional engines are the ``bench`` extra: ``pip install cedarpy casbin``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload as wl

import protected_actions as pa
from protected_actions.engine.compile import compiled

JSON = dict[str, Any]
T = TypeVar("T")
Decide = Callable[[int], str]  # request index -> "allow" | "challenge" | "deny"

ALLOW, CHALLENGE, DENY = "allow", "challenge", "deny"
ALL_TASKS = "/allProperties/allTasks"
SMOKE_REQUESTS = 300
WARM_UP = 200


def _granted(allowed: Iterable[str], action: str) -> bool:
    """Graph role semantics: the action itself, or ``<entity>/allProperties/allTasks``."""
    for entry in allowed:
        if entry == action:
            return True
        if entry.endswith(ALL_TASKS) and action.startswith(entry[: -len(ALL_TASKS)] + "/"):
            return True
    return False


def _enabled_contexts(bundle: JSON) -> set[str]:
    return {c for p in bundle["conditionalAccessPolicies"] if p["state"] == "enabled"
            for c in p["conditions"]["applications"]["includeAuthenticationContextClassReferences"]}


def _strength_combos(bundle: JSON) -> dict[str, list[frozenset[str]]]:
    return {s["id"]: [frozenset(c.split(",")) for c in s["allowedCombinations"]]
            for s in bundle["authenticationStrengthPolicies"]}


MFA_ID = pa.MFA_STRENGTH.id  # the ``mfa`` control is the built-in MFA strength


# -- (2) the naive loop -------------------------------------------------------------


class Naive:
    """Plain loops over the Graph JSON, as one would write it in an afternoon."""

    def __init__(self, bundle: JSON, requests: Sequence[JSON]) -> None:
        self.policies: list[JSON] = bundle["conditionalAccessPolicies"]
        self.roles = {r["id"]: r for r in bundle["roleDefinitions"]}
        self.protected = {a["name"]: a["authenticationContextId"]
                          for a in bundle["resourceActions"]}
        self.combos = _strength_combos(bundle)
        self.requests = requests

    def _authorized(self, roles: Iterable[str], action: str) -> bool:
        for role_id in roles:
            role = self.roles.get(role_id)
            if role is None:
                continue
            for perms in role["rolePermissions"]:
                if _granted(perms["allowedResourceActions"], action):
                    return True
        return False

    def _applies(self, users: JSON, uid: str, groups: list[str]) -> bool:
        if uid in users["excludeUsers"]:
            return False
        for g in users["excludeGroups"]:
            if g in groups:
                return False
        if "All" in users["includeUsers"] or uid in users["includeUsers"]:
            return True
        for g in users["includeGroups"]:  # noqa: SIM110 - a plain loop is the point
            if g in groups:
                return True
        return False

    def _methods_ok(self, grant: JSON, methods: frozenset[str]) -> bool:
        strength = grant["authenticationStrength"]
        combos = self.combos[strength["id"] if strength else MFA_ID]
        for combo in combos:  # noqa: SIM110 - a plain loop is the point
            if combo <= methods:
                return True
        return False

    def _stale(self, policy: JSON, age: int) -> bool:
        session = policy["sessionControls"]
        if not session or not session.get("signInFrequency"):
            return False
        sif = session["signInFrequency"]
        hours: int = sif["value"] * (24 if sif["type"] == "days" else 1)
        return age > hours * 3600

    def decide(self, i: int) -> str:
        """Allow, challenge or deny; stops at the first deny."""
        req = self.requests[i]
        principal, action, session = req["principal"], req["action"], req["session"]
        if not self._authorized(principal["roles"], action):
            return DENY
        context = self.protected.get(action)
        if context is None:
            return ALLOW
        uid, groups = principal["id"], principal["groups"]
        seen_enabled, challenge = False, False
        for policy in self.policies:
            if policy["state"] != "enabled":
                continue
            if context not in policy["conditions"]["applications"][
                    "includeAuthenticationContextClassReferences"]:
                continue
            seen_enabled = True
            if not self._applies(policy["conditions"]["users"], uid, groups):
                continue
            grant = policy["grantControls"]
            controls = grant["builtInControls"]
            if "block" in controls:
                return DENY
            if "compliantDevice" in controls:
                if not session["deviceCompliant"]:
                    return DENY
                continue
            if not self._methods_ok(grant, session["authMethods"]) \
                    or self._stale(policy, session["secondsSinceAuth"]):
                challenge = True
        if not seen_enabled:
            return DENY  # protected, and no enabled policy: never satisfied
        return CHALLENGE if challenge else ALLOW

    def explain(self, i: int) -> str:
        """The same answer, listing every unmet requirement (no early exit)."""
        req = self.requests[i]
        principal, action, session = req["principal"], req["action"], req["session"]
        if not self._authorized(principal["roles"], action):
            return DENY
        context = self.protected.get(action)
        if context is None:
            return ALLOW
        uid, groups = principal["id"], principal["groups"]
        seen_enabled = False
        blocked: list[str] = []
        hard: list[str] = []
        soft: list[str] = []
        for policy in self.policies:
            if policy["state"] != "enabled" or context not in policy["conditions"][
                    "applications"]["includeAuthenticationContextClassReferences"]:
                continue
            seen_enabled = True
            if not self._applies(policy["conditions"]["users"], uid, groups):
                continue
            grant = policy["grantControls"]
            controls = grant["builtInControls"]
            if "block" in controls:
                blocked.append(f"blocked by {policy['displayName']!r}")
            elif "compliantDevice" in controls:
                if not session["deviceCompliant"]:
                    hard.append(f"a compliant device ({policy['displayName']!r})")
            else:
                if not self._methods_ok(grant, session["authMethods"]):
                    what = "MFA" if grant["authenticationStrength"] is None \
                        else grant["authenticationStrength"]["displayName"]
                    soft.append(f"{what} ({policy['displayName']!r})")
                if self._stale(policy, session["secondsSinceAuth"]):
                    soft.append(f"sign in again ({policy['displayName']!r})")
        if not seen_enabled or blocked or hard:
            return DENY
        return CHALLENGE if soft else ALLOW


class PlainNaive:
    """The plain naive loop: the same early-exit loop over the enforced policies,
    with the policy dicts read once into sets (as anyone would before serving
    requests) and each request's groups a set, as a token's claims would be
    parsed once. No index: every enabled policy is looked at on every request."""

    def __init__(self, bundle: JSON, requests: Sequence[JSON]) -> None:
        combos = _strength_combos(bundle)
        self.granting = {a["name"]: frozenset(
            r["id"] for r in bundle["roleDefinitions"]
            if any(_granted(p["allowedResourceActions"], a["name"])
                   for p in r["rolePermissions"]))
            for a in bundle["resourceActions"]}
        self.protected = {a["name"]: a["authenticationContextId"]
                          for a in bundle["resourceActions"]}
        self.policies = []
        for p in bundle["conditionalAccessPolicies"]:
            if p["state"] != "enabled":
                continue
            users, grant = p["conditions"]["users"], p["grantControls"]
            controls = grant["builtInControls"]
            kind = "block" if "block" in controls else \
                "device" if "compliantDevice" in controls else "methods"
            strength = grant["authenticationStrength"]
            sif = (p["sessionControls"] or {}).get("signInFrequency")
            window = sif["value"] * (24 if sif["type"] == "days" else 1) * 3600 if sif else None
            self.policies.append((
                frozenset(p["conditions"]["applications"][
                    "includeAuthenticationContextClassReferences"]),
                "All" in users["includeUsers"], frozenset(users["includeUsers"]),
                frozenset(users["includeGroups"]), frozenset(users["excludeUsers"]),
                frozenset(users["excludeGroups"]), kind,
                combos[strength["id"] if strength else MFA_ID], window))
        self.requests = requests
        self.groups = [frozenset(r["principal"]["groups"]) for r in requests]

    def decide(self, i: int) -> str:
        """Allow, challenge or deny; stops at the first deny."""
        req = self.requests[i]
        principal, action, session = req["principal"], req["action"], req["session"]
        granting = self.granting.get(action, frozenset())
        for role in principal["roles"]:
            if role in granting:
                break
        else:
            return DENY
        context = self.protected.get(action)
        if context is None:
            return ALLOW
        uid, groups = principal["id"], self.groups[i]
        seen_enabled, challenge = False, False
        for (contexts, everyone, inc_users, inc_groups, exc_users, exc_groups, kind,
             combos, window) in self.policies:
            if context not in contexts:
                continue
            seen_enabled = True
            if uid in exc_users or not exc_groups.isdisjoint(groups):
                continue
            if not (everyone or uid in inc_users or not inc_groups.isdisjoint(groups)):
                continue
            if kind == "block":
                return DENY
            if kind == "device":
                if not session["deviceCompliant"]:
                    return DENY
                continue
            if challenge:
                continue
            methods = session["authMethods"]
            if not any(combo <= methods for combo in combos) or \
                    (window is not None and session["secondsSinceAuth"] > window):
                challenge = True
        if not seen_enabled:
            return DENY  # protected, and no enabled policy: never satisfied
        return CHALLENGE if challenge else ALLOW



# -- (3) Cedar ----------------------------------------------------------------------


def _cedar_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cedar_actions(actions: Iterable[str]) -> str:
    return "[" + ", ".join(f"Action::{_cedar_str(a)}" for a in sorted(actions)) + "]"


def _cedar_methods(combos: Sequence[frozenset[str]]) -> str:
    terms = []
    for combo in combos:
        if len(combo) == 1:
            terms.append(f"context.authMethods.contains({_cedar_str(next(iter(combo)))})")
        else:
            terms.append("context.authMethods.containsAll(["
                         + ", ".join(_cedar_str(m) for m in sorted(combo)) + "])")
    return "(" + " || ".join(terms) + ")"


def cedar_policies(bundle: JSON) -> str:
    """The tenant as Cedar: a permit per role that grants a protected permission, a
    forbid per enforced policy (unless its requirement is met), and a forbid for a
    protected permission whose context no enabled policy targets."""
    protected = {a["name"]: a["authenticationContextId"] for a in bundle["resourceActions"]}
    by_context: dict[str, list[str]] = {}
    for action, context in protected.items():
        by_context.setdefault(context, []).append(action)
    combos = _strength_combos(bundle)
    out: list[str] = []
    for role in bundle["roleDefinitions"]:
        allowed = [a for perms in role["rolePermissions"]
                   for a in perms["allowedResourceActions"]]
        granted = [p for p in protected if _granted(allowed, p)]
        if granted:
            out.append(f"@id({_cedar_str('role:' + role['displayName'])})\n"
                       f"permit (principal in Role::{_cedar_str(role['id'])}, "
                       f"action in {_cedar_actions(granted)}, resource);")
    enabled = _enabled_contexts(bundle)
    for context, actions in sorted(by_context.items()):
        if context not in enabled:
            out.append(f"@id({_cedar_str('never-satisfied:' + context)})\n"
                       f"forbid (principal, action in {_cedar_actions(actions)}, resource);")
    for policy in bundle["conditionalAccessPolicies"]:
        if policy["state"] != "enabled":
            continue
        out.append(_cedar_policy(policy, by_context, combos))
    return "\n".join(out) + "\n"


def _cedar_policy(policy: JSON, by_context: Mapping[str, list[str]],
                  combos: Mapping[str, list[frozenset[str]]]) -> str:
    users = policy["conditions"]["users"]
    contexts = policy["conditions"]["applications"]["includeAuthenticationContextClassReferences"]
    actions = [a for c in contexts for a in by_context.get(c, ())]
    text = (f"@id({_cedar_str(policy['id'])})\n"
            f"forbid (principal, action in {_cedar_actions(actions)}, resource)")
    if "All" not in users["includeUsers"]:
        included = [f"principal == User::{_cedar_str(u)}" for u in users["includeUsers"]]
        included += [f"principal in Group::{_cedar_str(g)}" for g in users["includeGroups"]]
        text += "\nwhen { " + (" || ".join(included) or "false") + " }"
    excluded = [f"principal == User::{_cedar_str(u)}" for u in users["excludeUsers"]]
    excluded += [f"principal in Group::{_cedar_str(g)}" for g in users["excludeGroups"]]
    if excluded:
        text += "\nunless { " + " || ".join(excluded) + " }"
    grant = policy["grantControls"]
    controls = grant["builtInControls"]
    if "block" in controls:
        return text + ";"
    if "compliantDevice" in controls:
        return text + "\nunless { context.deviceCompliant };"
    strength = grant["authenticationStrength"]
    met = _cedar_methods(combos[strength["id"] if strength else MFA_ID])
    sif = (policy["sessionControls"] or {}).get("signInFrequency")
    if sif:
        seconds = sif["value"] * 3600 * (24 if sif["type"] == "days" else 1)
        met += f" && context.secondsSinceAuth <= {seconds}"
    return text + "\nunless { " + met + " };"


class Cedar:
    """``cedarpy.is_authorized`` per call: policies parsed once, the principal entity
    and the context built from the request on every call."""

    def __init__(self, bundle: JSON, requests: Sequence[JSON]) -> None:
        import cedarpy

        self.cedarpy = cedarpy
        self.text = cedar_policies(bundle)
        self.policy_set = cedarpy.PolicySet.from_str(self.text)
        self.requests = requests
        self.resource = {"type": "Directory", "id": "tenant"}
        self.errors = 0

    def _call(self, req: JSON) -> Any:
        principal, session = req["principal"], req["session"]
        uid = {"type": "User", "id": principal["id"]}
        parents = [{"type": "Group", "id": g} for g in principal["groups"]]
        parents += [{"type": "Role", "id": r} for r in principal["roles"]]
        entities = [{"uid": uid, "attrs": {}, "parents": parents}]
        request = {"principal": uid, "action": {"type": "Action", "id": req["action"]},
                   "resource": self.resource,
                   "context": {"authMethods": sorted(session["authMethods"]),
                               "deviceCompliant": session["deviceCompliant"],
                               "secondsSinceAuth": session["secondsSinceAuth"]}}
        return self.cedarpy.is_authorized(request, self.policy_set, entities)

    def decide(self, i: int) -> str:
        """Allow or deny (Cedar has no third answer)."""
        return ALLOW if self._call(self.requests[i]).allowed else DENY

    def checked(self, i: int) -> str:
        """:meth:`decide`, counting evaluation errors."""
        result = self._call(self.requests[i])
        self.errors += len(result.diagnostics.errors)
        return ALLOW if result.allowed else DENY


# -- (4) Casbin ---------------------------------------------------------------------

CASBIN_MODEL = """
[request_definition]
r = sub, act, env

[policy_definition]
p = sub, act, eft, xu, xg, req, sif

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.act, p.act) && (p.eft == "allow" && p.sub in r.sub.roles \
|| p.eft == "deny" && (p.sub == "*" || p.sub in r.sub.groups) \
&& !(r.sub.id in p.xu) && !(p.xg in r.sub.groups) \
&& (p.req == "block" || p.req == "compliantDevice" && !r.env.compliant \
|| p.req != "block" && p.req != "compliantDevice" \
&& (!satisfies(r.env.methods, p.req) || older(r.env.age, p.sif))))
"""
"""One fixed matcher. Rows: ``allow`` (role, permission) and ``deny`` (subject group
or ``*``, context, excluded users, excluded group, requirement, sign-in frequency in
seconds); ``g`` maps each permission to its context. Casbin has no set operations,
so two registered functions check method combinations and the auth age."""


@dataclass(frozen=True, slots=True)
class CasbinSubject:
    """``r.sub``."""

    id: str
    groups: frozenset[str]
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class CasbinEnv:
    """``r.env``."""

    methods: frozenset[str]
    compliant: bool
    age: int


def casbin_rows(bundle: JSON) -> tuple[list[list[str]], list[list[str]]]:
    """``(p rows, g rows)`` for :data:`CASBIN_MODEL`."""
    protected = {a["name"]: a["authenticationContextId"] for a in bundle["resourceActions"]}
    g_rows = [[a, c] for a, c in sorted(protected.items())]
    p_rows: list[list[str]] = []
    for role in bundle["roleDefinitions"]:
        allowed = [a for perms in role["rolePermissions"]
                   for a in perms["allowedResourceActions"]]
        p_rows += [[role["id"], a, "allow", "-", "-", "-", "0"]
                   for a in sorted(protected) if _granted(allowed, a)]
    enabled = _enabled_contexts(bundle)
    for context in sorted(set(protected.values()) - enabled):
        p_rows.append(["*", context, "deny", "-", "-", "block", "0"])
    for policy in bundle["conditionalAccessPolicies"]:
        if policy["state"] != "enabled":
            continue
        users = policy["conditions"]["users"]
        grant = policy["grantControls"]
        controls = grant["builtInControls"]
        if "block" in controls or "compliantDevice" in controls:
            requirement = controls[0]
        else:
            strength = grant["authenticationStrength"]
            requirement = strength["id"] if strength else MFA_ID
        sif = (policy["sessionControls"] or {}).get("signInFrequency")
        seconds = sif["value"] * 3600 * (24 if sif["type"] == "days" else 1) if sif else 0
        subjects = ["*"] if "All" in users["includeUsers"] else users["includeGroups"]
        excluded_group = users["excludeGroups"][0] if users["excludeGroups"] else "-"
        for context in policy["conditions"]["applications"][
                "includeAuthenticationContextClassReferences"]:
            p_rows += [[s, context, "deny", " ".join(users["excludeUsers"]) or "-",
                        excluded_group, requirement, str(seconds)] for s in subjects]
    return p_rows, g_rows


class Casbin:
    """pycasbin ``enforce()``: the request's subject and environment built per call."""

    def __init__(self, bundle: JSON, requests: Sequence[JSON]) -> None:
        import casbin  # type: ignore[import-untyped]

        model = casbin.model.Model()
        model.load_model_from_text(CASBIN_MODEL)
        self.enforcer = casbin.Enforcer(model)
        combos = _strength_combos(bundle)
        self.enforcer.add_function(
            "satisfies", lambda methods, sid: any(c <= methods for c in combos[sid]))
        self.enforcer.add_function("older", lambda age, sif: sif != "0" and age > int(sif))
        p_rows, g_rows = casbin_rows(bundle)
        self.enforcer.add_policies(p_rows)
        self.enforcer.add_named_grouping_policies("g", g_rows)
        self.rows = len(p_rows)
        self.requests = requests

    def decide(self, i: int) -> str:
        """Allow or deny."""
        req = self.requests[i]
        principal, session = req["principal"], req["session"]
        sub = CasbinSubject(principal["id"], frozenset(principal["groups"]),
                            frozenset(principal["roles"]))
        env = CasbinEnv(session["authMethods"], session["deviceCompliant"],
                        session["secondsSinceAuth"])
        return ALLOW if self.enforcer.enforce(sub, req["action"], env) else DENY


# -- (1) this library ---------------------------------------------------------------


class Ours:
    """``protected_actions.evaluate``: prebuilt sessions, a ``SessionState`` built in
    the call, or ``pa.load_session`` of the session's Graph-style dict in the call."""

    def __init__(self, tenant: pa.Tenant, sessions: Sequence[pa.SessionState],
                 requests: Sequence[JSON], session_dicts: Sequence[JSON]) -> None:
        self.tenant = tenant
        self.sessions = sessions
        self.requests = requests
        self.session_dicts = session_dicts
        compiled(tenant)  # compile before timing

    def decide(self, i: int) -> str:
        """Allow, challenge or deny."""
        return pa.evaluate(self.tenant, self.sessions[i], self.requests[i]["action"]
                           ).outcome.value

    def decide_from_dict(self, i: int) -> str:
        """The same, building the ``SessionState`` from the request dict first."""
        req = self.requests[i]
        return pa.evaluate(self.tenant, wl.session_from_request(req), req["action"]
                           ).outcome.value

    def decide_from_json(self, i: int) -> str:
        """The same, reading the session with ``pa.load_session`` first."""
        return pa.evaluate(self.tenant, pa.load_session(self.session_dicts[i]),
                           self.requests[i]["action"]).outcome.value


# -- the run ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One timed row of the table: ``bind`` makes a fresh instance of the engine
    (for this library a fresh tenant, compiled, with nothing remembered) and
    returns its per-request call; ``None``: engine not installed."""

    engine: str
    answers: str  # "A/C/D" or "allow/not"
    bind: Callable[[], Decide] | None
    note: str = ""


@dataclass(frozen=True)
class Timing:
    """Microseconds per call over one pass."""

    median: float
    p99: float
    mean: float


def _percentile(sorted_ns: Sequence[int], q: float) -> float:
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1000.0


def _time(decide: Decide, count: int) -> Timing:
    """Median, p99 and mean microseconds per call over requests ``0..count-1``."""
    gc.collect()
    clock = time.perf_counter_ns
    samples = [0] * count
    for i in range(count):
        start = clock()
        decide(i)
        samples[i] = clock() - start
    samples.sort()
    return Timing(statistics.median(samples) / 1000.0, _percentile(samples, 0.99),
                  statistics.fmean(samples) / 1000.0)


def _cold_and_warm(row: Row, count: int) -> tuple[Timing, Timing]:
    """Cold: the first pass over the requests on a fresh instance (a user's first
    request pays for what this library remembers about the user). Warm: the next
    pass on the same instance, after one untimed pass over every request."""
    assert row.bind is not None
    decide = row.bind()
    cold = _time(decide, count)
    for i in range(count):
        decide(i)
    return cold, _time(decide, count)


def _disagreements(reference: Sequence[str], decide: Decide, exact: bool) -> int:
    bad = 0
    for i, want in enumerate(reference):
        got = decide(i)
        if (got != want) if exact else ((got == ALLOW) != (want == ALLOW)):
            bad += 1
    return bad


@dataclass(frozen=True)
class Inputs:
    """What every engine reads: the workload, its request dicts and, for
    ``pa.load_session``, each session as Graph-style JSON."""

    workload: wl.Workload
    requests: Sequence[JSON]
    session_dicts: Sequence[JSON]

    def ours(self, n: int) -> Ours:
        """A fresh tenant and fresh sessions: nothing shared with another instance."""
        return Ours(self.workload.tenant(n), self.workload.sessions(), self.requests,
                    self.session_dicts)


def _optional(make: Callable[[], T]) -> T | None:
    try:
        return make()
    except ImportError:
        return None


def _rows(inputs: Inputs, n: int) -> list[Row]:
    bundle, requests = inputs.workload.bundle(n), inputs.requests
    cedar = _optional(lambda: Cedar(bundle, requests))
    casbin = _optional(lambda: Casbin(bundle, requests))
    return [
        Row("ours: evaluate(), prebuilt SessionState", "A/C/D", lambda: inputs.ours(n).decide),
        Row("ours: SessionState(...) built in the call", "A/C/D",
            lambda: inputs.ours(n).decide_from_dict),
        Row("ours: pa.load_session(dict) in the call", "A/C/D",
            lambda: inputs.ours(n).decide_from_json),
        Row("plain naive loop (sets, early exit)", "A/C/D",
            lambda: PlainNaive(bundle, requests).decide),
        Row("naive loop over the raw dicts (early exit)", "A/C/D",
            lambda: Naive(bundle, requests).decide),
        Row("naive loop, every unmet requirement", "A/C/D",
            lambda: Naive(bundle, requests).explain),
        Row("Cedar (cedarpy is_authorized per call)", "allow/not",
            (lambda: Cedar(bundle, requests).decide) if cedar else None,
            "" if cedar else "cedarpy not installed"),
        Row("Casbin (pycasbin enforce)", "allow/not",
            (lambda: Casbin(bundle, requests).decide) if casbin else None,
            "" if casbin else "casbin not installed"),
    ]


def _agreement(inputs: Inputs, n: int, count: int) -> tuple[int, list[str]]:
    """Every engine against this library, on instances used for nothing else (so
    the timed instances remember nothing from this pass)."""
    bundle, requests = inputs.workload.bundle(n), inputs.requests
    ours = inputs.ours(n)
    naive = Naive(bundle, requests)
    cedar = _optional(lambda: Cedar(bundle, requests))
    casbin = _optional(lambda: Casbin(bundle, requests))
    reference = [ours.decide(i) for i in range(count)]
    checks: list[tuple[str, Decide | None, bool]] = [
        ("ours SessionState(...)", inputs.ours(n).decide_from_dict, True),
        ("ours load_session", inputs.ours(n).decide_from_json, True),
        ("plain naive (exact)", PlainNaive(bundle, requests).decide, True),
        ("naive loop (exact)", naive.decide, True),
        ("naive explain (exact)", naive.explain, True),
        ("cedar (allow vs not)", cedar.checked if cedar else None, False),
        ("casbin (allow vs not)", casbin.decide if casbin else None, False),
    ]
    total, lines = 0, []
    dist = {k: reference.count(k) for k in (ALLOW, CHALLENGE, DENY)}
    lines.append(f"N={n}: reference A/C/D = {dist[ALLOW]:,} / {dist[CHALLENGE]:,} / "
                 f"{dist[DENY]:,} over {count:,} requests")
    for label, decide, exact in checks:
        if decide is None:
            lines.append(f"  {label:<24} skipped (not installed)")
            continue
        bad = _disagreements(reference, decide, exact)
        total += bad
        extra = f", {cedar.errors} evaluation errors" if label.startswith("cedar") \
            and cedar is not None else ""
        lines.append(f"  {label:<24} {bad} disagreements{extra}")
    sizes_note = []
    if cedar:
        sizes_note.append(f"cedar: {cedar.text.count('@id(')} policies")
    if casbin:
        sizes_note.append(f"casbin: {casbin.rows} policy rows")
    if sizes_note:
        lines.append(f"  ({'; '.join(sizes_note)})")
    return total, lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison; exit 1 on any disagreement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_REQUESTS} requests, one round, no timing claims")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--sizes", default="10,50,240",
                        help="policy counts (prefixes of the 240-policy stream)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="timing rounds; the table shows the median of the rounds")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.rounds < 1:
        parser.error("--requests and --rounds must be at least 1")
    count = SMOKE_REQUESTS if args.smoke else args.requests
    sizes = [int(s) for s in args.sizes.split(",")]
    workload = wl.generate(requests=count) if args.seed is None \
        else wl.generate(seed=args.seed, requests=count)
    inputs = Inputs(workload, workload.request_dicts(),
                    [pa.dump_session(s) for s in workload.sessions()])
    print(f"workload (seed {workload.seed}): {workload.describe_directory()}")
    _print_versions()
    for engine in ("cedarpy", "casbin"):
        if importlib.util.find_spec(engine) is None:
            print(f"{engine} is not installed (pip install cedarpy casbin): its rows are skipped")

    runs: dict[int, list[Row]] = {}
    failed = 0
    for n in sizes:
        print(workload.describe(n))
        bad, lines = _agreement(inputs, n, count)
        print("\n".join(lines))
        failed += bad
        runs[n] = _rows(inputs, n)
    print(f"disagreements in total: {failed}")
    if failed:
        print("FAIL: an engine disagrees with protected_actions; no timing.")
        return 1
    _print_table(runs, count, 1 if args.smoke else args.rounds)
    if args.smoke:
        print("smoke run: agreement checked; the figures above say nothing about speed.")
    return 0


def _print_versions() -> None:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for dist in ("protected-actions", "cedarpy", "casbin"):
        try:
            found.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            found.append(f"{dist} (not installed)")
    print(f"Python {sys.version.split()[0]}; " + ", ".join(found))


def _print_table(runs: Mapping[int, list[Row]], count: int, rounds: int) -> None:
    results: dict[tuple[str, int], list[tuple[Timing, Timing]]] = {}
    for _ in range(rounds):
        for n, rows in runs.items():
            for row in rows:
                if row.bind is not None:
                    results.setdefault((row.engine, n), []).append(_cold_and_warm(row, count))
    header = (f"{'engine':<44} {'answers':<9} {'N':>4} {'cold p50':>9} {'cold p99':>9} "
              f"{'warm p50':>9} {'warm p99':>9} {'dec/s warm':>11} {'x ours':>7}")
    print(f"\nus per decision over {count:,} requests; median of {rounds} round(s); "
          "cold = first pass on a fresh instance, warm = after one pass; "
          "x ours = warm p50 / ours' prebuilt warm p50")
    print(header)
    print("-" * len(header))

    def figure(key: tuple[str, int], warm: int, field: str) -> float:
        return float(statistics.median(getattr(r[warm], field) for r in results[key]))

    for n, rows in runs.items():
        ours = figure((rows[0].engine, n), 1, "median")
        for row in rows:
            key = (row.engine, n)
            if row.bind is None:
                print(f"{row.engine:<44} {row.answers:<9} {n:>4} {'skipped: ' + row.note}")
                continue
            print(f"{row.engine:<44} {row.answers:<9} {n:>4} "
                  f"{figure(key, 0, 'median'):>9.1f} {figure(key, 0, 'p99'):>9.1f} "
                  f"{figure(key, 1, 'median'):>9.1f} {figure(key, 1, 'p99'):>9.1f} "
                  f"{1e6 / figure(key, 1, 'mean'):>11,.0f} "
                  f"{figure(key, 1, 'median') / ours:>7.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
