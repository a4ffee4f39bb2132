"""``lint`` over the real-data corpus (``shared/corpus``, see its SOURCES.md): one
tenant per source, as exported and with emergency accounts designated.

Each source's policies are loaded with ``protected_actions.graph.load_policies``,
together with the named locations, authentication strengths and auth contexts the
same source ships. Exports carry no directory, so every source gets PA101. The
second run designates two emergency access accounts (FIDO2, active Global
Administrators) in the group the source excludes from most policies: Maester's
MT.1005 heuristic for the break-glass group (SOURCES.md, "most-excluded object per
source"); for some sources that group is not a break-glass group at all, and lint
says what its members would suffer.

``test_summary_table`` prints the findings per source and code.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest

from protected_actions import GLOBAL_ADMINISTRATOR, Group, Policy, Tenant, User
from protected_actions.analysis import CATALOG, Finding, lint

try:
    from protected_actions.graph import load_policies, load_tenant
except ImportError as exc:  # pragma: no cover - depends on the checkout
    pytest.skip(f"protected_actions.graph is not importable ({exc}); the corpus cannot be "
                "loaded without it", allow_module_level=True)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
"""The real-data corpus, next to the repository (``../shared/corpus``)."""
POLICIES = CORPUS / "conditional-access"
OTHER_KINDS = {
    "named-locations": ("namedLocations", "named_locations"),
    "authentication-strengths": ("authenticationStrengthPolicies", "authentication_strengths"),
    "authentication-contexts": ("authenticationContextClassReferences", "auth_contexts"),
}
SOURCES = sorted(p.name for p in POLICIES.iterdir() if p.is_dir()) if POLICIES.is_dir() else []
BREAKGLASS_METHODS = frozenset({"fido2"})  # facts §9: passkey (FIDO2) recommended


def _require_corpus() -> None:
    if not SOURCES:
        pytest.skip(f"the real-data corpus is not available at {CORPUS}")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not p.name.startswith("LICENSE") and p.suffix == ".json")


def _bodies(document: Any) -> list[Any]:
    if isinstance(document, Mapping) and isinstance(document.get("value"), list):
        return list(document["value"])
    return list(document) if isinstance(document, list) else [document]


def _unique_ids(policies: list[Policy]) -> Iterator[Policy]:
    """Policies with a repeated id (templates, copies) get ``#2``, ``#3``... appended:
    a tenant holds unique ids."""
    seen: Counter[str] = Counter()
    for policy in policies:
        seen[policy.id] += 1
        yield policy if seen[policy.id] == 1 else attrs.evolve(
            policy, id=f"{policy.id}#{seen[policy.id]}")


def _others(source: str) -> dict[str, list[Any]]:
    """The source's named locations, strengths and auth contexts, first copy of an id."""
    import json

    out: dict[str, list[Any]] = {}
    for kind, (key, field) in OTHER_KINDS.items():
        folder = CORPUS / kind / source
        objects: dict[str, Any] = {}
        for path in _files(folder) if folder.is_dir() else []:
            raw = path.read_bytes()
            text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") \
                else raw.decode("utf-8-sig")
            loaded = load_tenant({key: _bodies(json.loads(text))})
            for obj in getattr(loaded, field):
                objects.setdefault(obj.id, obj)
        out[field] = list(objects.values())
    return out


@cache
def exported(source: str) -> Tenant:
    """The source as exported: its policies, locations, strengths and contexts."""
    policies = [p for path in _files(POLICIES / source) for p in load_policies(path)]
    return Tenant(policies=list(_unique_ids(policies)), **_others(source))


def most_excluded_group(tenant: Tenant) -> tuple[str, int] | None:
    """The group excluded from most policies, and from how many (MT.1005 heuristic)."""
    counts = Counter(g for p in tenant.policies if p.conditions.users is not None
                     for g in set(p.conditions.users.exclude_groups))
    return counts.most_common(1)[0] if counts else None


@cache
def designated(source: str) -> Tenant:
    """The exported tenant with two emergency accounts in the most-excluded group."""
    tenant = exported(source)
    found = most_excluded_group(tenant)
    groups = [Group(id=found[0])] if found else []
    accounts = [User(id=f"breakglass-{i}", member_of={g.id for g in groups},
                     roles={GLOBAL_ADMINISTRATOR.id}, registered_methods=BREAKGLASS_METHODS)
                for i in (1, 2)]
    return attrs.evolve(tenant, users=accounts, groups=groups,
                        emergency_access_accounts=[a.id for a in accounts])


@cache
def linted(source: str, variant: str) -> tuple[tuple[Finding, ...], float]:
    """The findings for one source and variant, and the seconds lint took."""
    tenant = exported(source) if variant == "exported" else designated(source)
    started = time.perf_counter()
    findings = lint(tenant)
    return findings, time.perf_counter() - started


def counts(source: str, variant: str) -> Counter[str]:
    return Counter(f.code for f in linted(source, variant)[0])


@pytest.mark.parametrize("source", SOURCES)
def test_lint_completes_on_every_source(source: str) -> None:
    """Lint completes on every exported source and returns catalog findings only, with
    PA101 since exports carry no emergency accounts."""
    _require_corpus()
    findings, _ = linted(source, "exported")
    assert all(isinstance(f, Finding) and f.code in CATALOG for f in findings)
    assert counts(source, "exported")["PA101"] == 1
    assert list(findings) == sorted(findings, key=Finding.sort_key)


@pytest.mark.parametrize("source", SOURCES)
def test_lint_completes_with_emergency_accounts(source: str) -> None:
    """Lint completes with two designated accounts, and every PA110 or PA111 names an
    account and an enabled policy of the source."""
    _require_corpus()
    findings, _ = linted(source, "designated")
    enforced = {p.id for p in designated(source).policies if p.state == "enabled"}
    for f in findings:
        if f.code in ("PA110", "PA111"):
            assert f.subjects[0] in ("breakglass-1", "breakglass-2")
            assert f.subjects[1] in enforced
            assert f.policy_id == f.subjects[1]
    assert "PA101" not in counts(source, "designated")


def test_corpus_quirks_are_found() -> None:
    """The import quirks SOURCES.md lists show up as PA141 (placeholders, pseudo-GUIDs,
    display names) and the rare grant controls as PA171 and PA172."""
    _require_corpus()
    # Pseudo-GUID exclusions in all 22 NIS2 policies; placeholders in Filipin's set.
    assert counts("Clutch2View__nis2-conditional-access-policies", "exported")["PA141"] == 22
    assert counts("AlexFilipin__ConditionalAccess", "exported")["PA141"] >= 48
    assert counts("Fortigi__ConditionalAccess", "exported")["PA141"] == 4
    # riskRemediation, compliantNetwork and verifiedID appear once each.
    unchecked = sorted(s for source in SOURCES for f in linted(source, "exported")[0]
                       if f.code == "PA171" for s in f.subjects[1:])
    assert unchecked == ["compliantNetwork", "riskRemediation", "verifiedID"]
    # approvedApplication: 5 policies (SOURCES.md builtInControls).
    assert sum(counts(s, "exported")["PA172"] for s in SOURCES) == 5


def test_baseline_that_excludes_break_glass_everywhere() -> None:
    """Joey Verlinden's baseline excludes its break-glass group from every enabled
    policy that could reach the accounts: no PA110 nor PA111."""
    _require_corpus()
    source = "j0eyv__ConditionalAccessBaseline"
    tenant = designated(source)
    assert most_excluded_group(tenant) == ("2802b872-ccfb-4b29-a9a9-459808dfb11b", 29)
    assert sum(1 for p in tenant.policies if p.state == "enabled") == 31
    assert counts(source, "designated")["PA110"] == 0
    assert counts(source, "designated")["PA111"] == 0


def test_protect_dont_exclude_framework() -> None:
    """Cloudshield's framework, switched on, only challenges its break-glass group with
    the FIDO2 "BreakGlass" strength and a sign-in frequency (PA111), and the strength
    becomes PA110 for accounts without FIDO2."""
    _require_corpus()
    # SOURCES.md source 5: break-glass accounts are included in CA400/CA420/CA421.
    tenant = designated("Cloudshield-io__Conditional-Access-Framework")
    assert most_excluded_group(tenant) == ("8072f500-ee01-4cc9-accc-230f11be2d5e", 33)
    switched_on = attrs.evolve(tenant, policies=[attrs.evolve(p, state="enabled")
                                                 for p in tenant.policies])
    names = {p.id: p.display_name[:5] for p in tenant.policies}

    def emergency(t: Tenant) -> list[tuple[str, str]]:
        return [(f.code, names[f.subjects[1]]) for f in lint(t)
                if f.code in ("PA110", "PA111") and f.subjects[0] == "breakglass-1"]

    assert emergency(switched_on) == [("PA111", "CA400"), ("PA111", "CA420")]
    # facts §5.5: a strength the account has no method for cannot be completed.
    no_key = attrs.evolve(switched_on, users=[
        attrs.evolve(u, registered_methods=frozenset({"password", "microsoftAuthenticatorPush"}))
        for u in switched_on.users])
    assert emergency(no_key) == [("PA110", "CA400"), ("PA111", "CA420")]


def _table() -> str:
    codes = sorted({c for s in SOURCES for v in ("exported", "designated")
                    for c in counts(s, v)})
    head = ["source", "policies", "enabled", "ms", *codes]
    rows = []
    for source in SOURCES:
        for variant in ("exported", "designated"):
            found = counts(source, variant)
            name = source if variant == "exported" else "  + emergency accounts"
            ms = f"{linted(source, variant)[1] * 1000:.0f}"
            policies = exported(source).policies
            enabled = sum(1 for p in policies if p.state == "enabled")
            rows.append([name, str(len(policies)), str(enabled), ms,
                         *(str(found[c]) if found[c] else "." for c in codes)])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [head, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def test_summary_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Print the findings per corpus source and code (both variants) for the record."""
    _require_corpus()
    table = _table()
    with capsys.disabled():
        print("\n\nlint findings per corpus source and code ('.' = none; ms = the first lint "
              "call, compiling the tenant included)")
        print(table)
    assert all(source in table for source in SOURCES)
