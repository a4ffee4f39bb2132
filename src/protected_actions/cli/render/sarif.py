"""Lint findings as a SARIF 2.1.0 log, for code scanning in CI.

One run; ``tool.driver.rules`` is the whole lint catalog (so a rule's index never
depends on what was found); each result names its rule, maps the severity to a SARIF
level (``info`` is ``note``), points at the user's file and line the object the
finding is about was read from (else the tenant file, at the line of the object when
the file shows it) and, for a finding about one policy, carries a logical location
naming that policy.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from protected_actions.analysis import CATALOG, Finding, Severity

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "TOOL_NAME", "sarif_log"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "protected-actions"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_name(title: str) -> str:
    """``Policy can block an emergency access account`` -> ``PolicyCanBlockAnEmergency...``."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _rules() -> list[dict[str, Any]]:
    return [{
        "id": rule.code,
        "name": _rule_name(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title}. Documented in {rule.doc}."},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"documentation": rule.doc, "severity": rule.severity.value,
                       "tags": ["security", "conditional-access"]},
    } for rule in CATALOG.values()]


def _uri(path: Path) -> str:
    """A relative path as a relative URI reference; an absolute one as a file URI."""
    return path.as_uri() if path.is_absolute() else path.as_posix()


def _line_of(files: Sequence[Path], ids: Sequence[str]) -> tuple[Path, int] | None:
    """The first file and 1-based line where one of ``ids`` is an object's ``"id"``."""
    for object_id in ids:
        pattern = re.compile(r'"id"\s*:\s*"' + re.escape(object_id) + '"')
        for path in files:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            match = pattern.search(text)
            if match:
                return path, text.count("\n", 0, match.start()) + 1
    return None


def _bundle_files(source: Path) -> list[Path]:
    if source.is_dir():
        preferred = source / "conditionalAccessPolicies.json"
        others = sorted(p for p in source.glob("*.json") if p != preferred)
        return ([preferred] if preferred.is_file() else []) + others
    return [source]


Locate = Callable[[str], tuple[Path, int] | None]
"""Where the object with an id was read (file and line), when the loader knows."""


def _location(finding: Finding, source: Path, locate: Locate | None) -> dict[str, Any]:
    ids = ([finding.policy_id] if finding.policy_id else []) + list(finding.subjects)
    known = (locate(i) for i in ids) if locate else iter(())
    found = next((k for k in known if k is not None), None) \
        or _line_of(_bundle_files(source), ids)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(found[0] if found
                                                                 else source)}}
    if found:
        physical["region"] = {"startLine": found[1]}
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.policy_id:
        location["logicalLocations"] = [{
            "name": finding.policy_id,
            "fullyQualifiedName": f"conditionalAccessPolicies/{finding.policy_id}",
            "kind": "object",
        }]
    return location


def _fingerprint(finding: Finding) -> str:
    key = "\x1f".join((finding.code, finding.policy_id or "", *finding.subjects))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, index: dict[str, int], source: Path,
            locate: Locate | None) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{finding.message}\nFix: {finding.fix}"},
        "locations": [_location(finding, source, locate)],
        "partialFingerprints": {"protectedActionsFinding/v1": _fingerprint(finding)},
        "properties": {"title": finding.title, "fix": finding.fix,
                       "subjects": list(finding.subjects)},
    }


def _suppressed(result: dict[str, Any], justification: str) -> dict[str, Any]:
    result["suppressions"] = [{"kind": "external", "justification": justification}]
    return result


def sarif_log(findings: Sequence[Finding], *, source: Path, version: str,
              locate: Locate | None = None,
              suppressed: Sequence[tuple[Finding, str]] = ()) -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``findings`` about the tenant read from ``source`` (a
    bundle file or folder), by ``protected-actions`` ``version``. ``locate`` gives the
    file and line an object was read from (a repository's own files); ``suppressed``
    findings (with the justification: a suppression's reason, or the baseline) are
    results with an external suppression, which code scanning hides."""
    index = {code: i for i, code in enumerate(CATALOG)}
    results = [_result(f, index, source, locate) for f in findings]
    results += [_suppressed(_result(f, index, source, locate), why) for f, why in suppressed]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": _driver(version)},
            "invocations": [{"executionSuccessful": True}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _driver(version: str) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": version}
    if re.fullmatch(r"\d+\.\d+\.\d+", version):
        driver["semanticVersion"] = version
    driver["rules"] = _rules()
    return driver
