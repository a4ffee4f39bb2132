"""The real-data corpus (``shared/corpus``, see its SOURCES.md): every file loads,
the counts match SOURCES.md, every round trip is lossless, and the evaluator accepts
everything the loader produces."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.graph import CORPUS, assert_lossless, corpus_files, require_corpus

from protected_actions import (
    GLOBAL_ADMINISTRATOR,
    AuthContext,
    Authentication,
    Decision,
    Device,
    Outcome,
    Policy,
    ProtectedAction,
    SessionState,
    Tenant,
    User,
    evaluate,
    evaluate_sign_in,
)
from protected_actions.graph import (
    dump_policy,
    dump_template,
    dump_tenant,
    load_policies,
    load_policy,
    load_tenant,
)
from protected_actions.graph._io import read_json

ONE_KEY = {
    "named-locations": "namedLocations",
    "authentication-strengths": "authenticationStrengthPolicies",
    "authentication-contexts": "authenticationContextClassReferences",
}


def _corpus_ids(kind: str) -> list[Path]:
    if not (CORPUS / kind).is_dir():
        return []
    return corpus_files(kind)


def _name(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def _params(files: list[Path]) -> list[Any]:
    """One test per file, or one skipped test saying the corpus is missing."""
    if files:
        return [pytest.param(path, id=_name(path)) for path in files]
    reason = f"the real-data corpus is not available at {CORPUS}"
    return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-corpus")]


CA_FILES = _corpus_ids("conditional-access")
OTHER_FILES = [p for kind in ONE_KEY for p in _corpus_ids(kind)]


def _bodies(document: Any) -> list[Any]:
    if isinstance(document, Mapping) and isinstance(document.get("value"), list):
        return list(document["value"])
    return list(document) if isinstance(document, list) else [document]


def _source(path: Path) -> str:
    return path.relative_to(CORPUS).parts[1]


@cache
def _loaded(path: Path) -> tuple[Policy, ...]:
    return load_policies(path)


@pytest.fixture(scope="module")
def sources_md() -> str:
    """The corpus's SOURCES.md text."""
    return (require_corpus() / "SOURCES.md").read_text(encoding="utf-8")


class TestPolicyFiles:
    @pytest.mark.parametrize("path", _params(CA_FILES))
    def test_loads_and_round_trips_losslessly(self, path: Path) -> None:
        """Every policy body of the file loads, and dumping keeps every input property."""
        bodies = _bodies(read_json(path))
        policies = _loaded(path)
        assert len(policies) == len(bodies)
        for body, policy in zip(bodies, policies, strict=True):
            dumped = dump_template(policy) if "details" in body else dump_policy(policy)
            assert_lossless(body, dumped)

    @pytest.mark.parametrize("path", _params(CA_FILES))
    def test_normal_form_is_a_fixed_point(self, path: Path) -> None:
        """Loading the dump gives the same policies, and dumping again the same JSON."""
        for policy in _loaded(path):
            dumped = dump_policy(policy)
            again = load_policy(dumped)
            assert again == policy
            assert json.dumps(dump_policy(again)) == json.dumps(dumped)


class TestOtherFiles:
    @pytest.mark.parametrize("path", _params(OTHER_FILES))
    def test_one_key_bundle_loads_and_round_trips(self, path: Path) -> None:
        """A named location, strength or context file loads as a one-key bundle, and
        the bundle's dump keeps every input property (pages as lists plus siblings)."""
        document = read_json(path)
        key = ONE_KEY[path.relative_to(CORPUS).parts[0]]
        if isinstance(document, Mapping) and "value" not in document:
            document = [document]
        bundle = {key: document}
        tenant = load_tenant(bundle)
        dumped = dump_tenant(tenant)
        assert_lossless(bundle, dumped)
        assert load_tenant(dumped) == tenant


class TestCounts:
    def test_policy_files_per_source_match_sources_md(self, sources_md: str) -> None:
        """The number of policy files per source is the one SOURCES.md lists."""
        line = re.search(r"- files per source: (.+)", sources_md)
        assert line is not None
        expected = {name: int(n) for name, n in re.findall(r"([\w.-]+): (\d+)", line[1])}
        assert Counter(_source(p) for p in CA_FILES) == expected
        assert sum(expected.values()) == len(CA_FILES) == 284

    def test_policy_bodies_templates_and_arrays(self) -> None:
        """352 policy bodies: 21 of them templates and 57 from caOptics' bare arrays."""
        require_corpus()
        policies = [p for path in CA_FILES for p in _loaded(path)]
        templates = [p for p in policies if p.state == "enabledForReportingButNotEnforced"
                     and "@protectedActions.template" in p.unmodelled]
        arrays = [p for path in CA_FILES if isinstance(read_json(path), list)
                  for p in _loaded(path)]
        assert (len(policies), len(templates), len(arrays)) == (352, 21, 57)

    def test_other_files_match_sources_md(self, sources_md: str) -> None:
        """18 named-location, 10 authentication-strength and 4 context files."""
        counts = Counter(p.relative_to(CORPUS).parts[0] for p in OTHER_FILES)
        assert counts == {"named-locations": 18, "authentication-strengths": 10,
                          "authentication-contexts": 4}
        assert "18 named-location files, 10 authentication-strength files" in \
            " ".join(sources_md.split())

    def test_encodings_match_sources_md(self) -> None:
        """The policy files include 36 UTF-16 and 2 UTF-8-with-BOM files, all loaded."""
        require_corpus()
        heads = Counter(_encoding(p.read_bytes()[:3]) for p in CA_FILES)
        assert heads == {"utf-8": 246, "utf-16-bom": 36, "utf-8-bom": 2}


def _encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16-bom"
    return "utf-8-bom" if head.startswith(b"\xef\xbb\xbf") else "utf-8"


# -- the evaluator accepts what the loader produces --------------------------------------

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"


def _corpus_tenant() -> Tenant:
    policies = [attrs.evolve(policy, id=f"{index}:{policy.id}")
                for index, policy in enumerate(p for path in CA_FILES for p in _loaded(path))]
    locations = {loc.id: loc for path in _corpus_ids("named-locations")
                 for loc in load_tenant({"namedLocations": _bodies(read_json(path))})
                 .named_locations}
    return Tenant(policies=policies, named_locations=list(locations.values()),
                  auth_contexts=[AuthContext(id="c1")],
                  protected_actions=[ProtectedAction(permission=CA_CREATE, context_id="c1")])


def _sessions() -> list[SessionState]:
    admin = User(id="admin", roles=frozenset({GLOBAL_ADMINISTRATOR.id}))
    guest = User(id="guest", user_type="guest",
                 guest_or_external_user_type="b2bCollaborationGuest", home_tenant_id="t2")
    mfa = Authentication(methods=frozenset({"password", "microsoftAuthenticatorPush"}),
                         at=NOW)
    device = Device(device_id="d1", is_compliant=True, trust_type="AzureAD")
    return [
        SessionState(at=NOW, user=admin),
        SessionState(at=NOW, user=admin, authentications=(mfa,), device_platform="windows",
                     device=device, ip_address="203.0.113.7", country="NL"),
        SessionState(at=NOW, user=guest, device_platform="iOS", client_app_type="other",
                     supports_claims_challenge=False, sign_in_risk_level="high"),
    ]


def test_evaluator_accepts_every_corpus_policy() -> None:
    """Every loaded corpus policy, in one tenant, evaluates for apps, user actions and a
    protected action without raising."""
    require_corpus()
    tenant = _corpus_tenant()
    targets = ("00000003-0000-0ff1-ce00-000000000000", "urn:user:registersecurityinfo")
    for session in _sessions():
        decisions = [evaluate_sign_in(tenant, session, target) for target in targets]
        decisions.append(evaluate(tenant, session, CA_CREATE))
        assert all(isinstance(d, Decision) and d.outcome in Outcome for d in decisions)
