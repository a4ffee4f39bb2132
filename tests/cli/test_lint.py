"""``lint``: text, JSON and SARIF output, and ``--fail-on``.

The SARIF log is validated against ``sarif-2.1.0-subset.schema.json`` beside this
file: no package on the index ships the official SARIF 2.1.0 schema (``sarif-om``,
``sarif-tools``, ``pysarif`` and ``sarif-pydantic`` do not), so the file restates the
official schema's required structure for the objects written here, stricter than
the original (unknown properties are rejected).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from tests.cli import guarded_policy, guarded_tenant, invoke, write_bundle

import protected_actions as pa
from protected_actions.analysis import CATALOG, Severity, lint
from protected_actions.cli import EXIT_FINDINGS, EXIT_OK
from protected_actions.graph import dump_tenant
from protected_actions.samples import sample_tenant, sample_tenant_file

SCHEMA = json.loads((Path(__file__).parent / "sarif-2.1.0-subset.schema.json")
                    .read_text(encoding="utf-8"))


def _sarif(tenant_arg: str) -> dict[str, Any]:
    result = invoke("lint", "--tenant", tenant_arg, "--format", "sarif")
    log: dict[str, Any] = result.json()
    return log


def _validate(log: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{e.json_path}: {e.message}" for e in errors)


def _warning_only_tenant() -> pa.Tenant:
    """One emergency account: PA102 (a warning) and nothing worse."""
    tenant = guarded_tenant(emergency_access_accounts=["bg1"])
    assert {f.severity for f in lint(tenant)} == {Severity.WARNING}
    return tenant


class TestText:
    """The text report."""

    def test_sample_findings_and_summary(self) -> None:
        """Each finding with its policy and fix, then the count per severity."""
        result = invoke("lint", "--tenant", "sample")
        findings = lint(sample_tenant())
        for f in findings:
            assert str(f) in result.out
            assert f"    fix: {f.fix}" in result.out
        assert "    policy: pa-c4-report-only" in result.out
        assert result.out.endswith("\n3 findings: 1 error, 1 warning, 1 info\n")
        assert result.status == EXIT_FINDINGS

    def test_clean_tenant(self, tmp_path: Path) -> None:
        """A tenant without findings says so and exits 0."""
        path = write_bundle(tmp_path / "t.json", guarded_tenant())
        result = invoke("lint", "--tenant", str(path))
        assert (result.status, result.out) == (EXIT_OK, "No findings.\n")


class TestFailOn:
    """``--fail-on`` decides which severities fail the run."""

    @pytest.mark.parametrize(("fail_on", "status"), [
        ("error", EXIT_FINDINGS), ("warning", EXIT_FINDINGS), ("info", EXIT_FINDINGS),
        ("never", EXIT_OK)])
    def test_sample_has_an_error(self, fail_on: str, status: int) -> None:
        """An error fails every threshold but ``never``."""
        assert invoke("lint", "--tenant", "sample", "--fail-on", fail_on).status == status

    @pytest.mark.parametrize(("fail_on", "status"), [
        ("error", EXIT_OK), ("warning", EXIT_FINDINGS), ("info", EXIT_FINDINGS),
        ("never", EXIT_OK)])
    def test_warning_only(self, fail_on: str, status: int, tmp_path: Path) -> None:
        """A warning fails ``warning`` and ``info`` but not the default ``error``."""
        path = write_bundle(tmp_path / "t.json", _warning_only_tenant())
        assert invoke("lint", "--tenant", str(path), "--fail-on", fail_on).status == status

    def test_default_is_error(self, tmp_path: Path) -> None:
        """Without ``--fail-on``, only errors fail the run."""
        path = write_bundle(tmp_path / "t.json", _warning_only_tenant())
        assert invoke("lint", "--tenant", str(path)).status == EXIT_OK


class TestJson:
    """``--format json``."""

    def test_findings_and_counts(self) -> None:
        """The findings as ``Finding.to_dict()`` and the count per severity."""
        result = invoke("lint", "--tenant", "sample", "--format", "json")
        data = result.json()
        assert data["findings"] == [f.to_dict() for f in lint(sample_tenant())]
        assert data["counts"] == {"error": 1, "warning": 1, "info": 1}
        assert result.status == EXIT_FINDINGS


class TestSarif:
    """``--format sarif``."""

    def test_sample_validates(self) -> None:
        """The sample's log is valid SARIF 2.1.0."""
        _validate(_sarif("sample"))

    def test_clean_tenant_validates(self, tmp_path: Path) -> None:
        """A log without results is valid too, and still lists the rules."""
        log = _sarif(str(write_bundle(tmp_path / "t.json", guarded_tenant())))
        _validate(log)
        assert log["runs"][0]["results"] == []

    def test_schema_rejects_a_broken_log(self) -> None:
        """The schema is strict enough to catch a wrong level or a missing message."""
        log = _sarif("sample")
        result = log["runs"][0]["results"][0]
        result["level"] = "info"
        del result["message"]
        validator = jsonschema.Draft4Validator(SCHEMA)
        assert len(list(validator.iter_errors(log))) == 2

    def test_rules_are_the_catalog(self) -> None:
        """``tool.driver.rules`` lists every catalog rule with its default level."""
        driver = _sarif("sample")["runs"][0]["tool"]["driver"]
        assert driver["name"] == "protected-actions"
        assert driver["version"] == pa.__version__
        levels = {"error": "error", "warning": "warning", "info": "note"}
        assert [(r["id"], r["defaultConfiguration"]["level"]) for r in driver["rules"]] == [
            (code, levels[rule.severity.value]) for code, rule in CATALOG.items()]
        assert all(r["shortDescription"]["text"] == CATALOG[r["id"]].title
                   for r in driver["rules"])

    def test_results_follow_the_findings(self) -> None:
        """One result per finding: rule id and index, level, message with the fix."""
        run = _sarif("sample")["runs"][0]
        rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
        findings = lint(sample_tenant())
        assert len(run["results"]) == len(findings)
        levels = {"error": "error", "warning": "warning", "info": "note"}
        for result, finding in zip(run["results"], findings, strict=True):
            assert result["ruleId"] == finding.code
            assert rules[result["ruleIndex"]] == finding.code
            assert result["level"] == levels[finding.severity.value]
            assert result["message"]["text"] == f"{finding.message}\nFix: {finding.fix}"

    def test_policy_findings_name_the_policy(self) -> None:
        """A finding about one policy has a logical location naming it, and its region
        is the line of that policy's id in the tenant file."""
        run = _sarif("sample")["runs"][0]
        lines = Path(str(sample_tenant_file())).read_text(encoding="utf-8").splitlines()
        by_rule = {r["ruleId"]: r for r in run["results"]}
        location = by_rule["PA161"]["locations"][0]
        assert location["logicalLocations"] == [{
            "name": "pa-c4-report-only",
            "fullyQualifiedName": "conditionalAccessPolicies/pa-c4-report-only",
            "kind": "object"}]
        line = location["physicalLocation"]["region"]["startLine"]
        assert re.search(r'"id":\s*"pa-c4-report-only"', lines[line - 1])
        assert location["physicalLocation"]["artifactLocation"]["uri"] == \
            Path(str(sample_tenant_file())).as_uri()

    def test_other_findings_point_at_their_first_subject(self) -> None:
        """A finding about a context points at the line defining that context."""
        run = _sarif("sample")["runs"][0]
        lines = Path(str(sample_tenant_file())).read_text(encoding="utf-8").splitlines()
        pa120 = next(r for r in run["results"] if r["ruleId"] == "PA120")
        location = pa120["locations"][0]
        assert "logicalLocations" not in location
        line = location["physicalLocation"]["region"]["startLine"]
        assert re.search(r'"id":\s*"c4"', lines[line - 1])

    def test_relative_path_gives_a_relative_uri(self, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """A tenant given by a relative path is located by that relative URI."""
        monkeypatch.chdir(tmp_path)
        write_bundle(tmp_path / "tenant.json", guarded_tenant(emergency_access_accounts=[]))
        log = _sarif("tenant.json")
        _validate(log)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in log["runs"][0]["results"]}
        assert uris == {"tenant.json"}

    def test_folder_bundle_points_at_the_policies_file(self, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
        """In a bundle folder, a policy finding points into conditionalAccessPolicies.json."""
        monkeypatch.chdir(tmp_path)
        tenant = guarded_tenant(policies=[guarded_policy(state="disabled")])
        folder = tmp_path / "bundle"
        folder.mkdir()
        for key, value in dump_tenant(tenant).items():
            (folder / f"{key}.json").write_text(json.dumps(value, indent=2), encoding="utf-8")
        log = _sarif("bundle")
        _validate(log)
        results = log["runs"][0]["results"]
        assert results
        policy_results = [r for r in results if "logicalLocations" in r["locations"][0]]
        assert policy_results
        for result in policy_results:
            artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
            assert artifact["uri"] == "bundle/conditionalAccessPolicies.json"
