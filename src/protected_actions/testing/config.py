"""The repository's configuration: ``[tool.protected-actions]`` in ``pyproject.toml``
or a ``protected-actions.toml`` beside the policies.

It names the tenant's folders (``tenant``, relative to the file), the emergency
access accounts and groups, maps placeholder tokens to ids,
suppresses lint findings (each with a reason), overrides severities and names the
baseline file. Command-line flags add to it (``--emergency-account``...) or replace
it (``--config``). Every key is checked: a typo is an error with a suggestion,
never a silently ignored setting.

>>> config = parse_config({"emergency-accounts": ["bg1"],
...                        "suppress": [{"code": "PA102", "reason": "one account"}]})
>>> config.emergency_accounts, config.suppressions[0].reason
(('bg1',), 'one account')
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from protected_actions.analysis import CATALOG, Finding, Severity
from protected_actions.errors import ProtectedActionsError
from protected_actions.graph import load_tenant
from protected_actions.graph.repository import carry_sources
from protected_actions.model.session import User
from protected_actions.model.tenant import Tenant

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - depends on the interpreter
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None  # type: ignore[assignment]

__all__ = [
    "CONFIG_FILE",
    "Config",
    "ConfigError",
    "Judged",
    "Suppression",
    "apply_emergency",
    "load_configured_tenant",
    "find_config",
    "judge",
    "parse_config",
    "read_baseline",
    "read_config",
    "toml_document",
    "write_baseline",
]

CONFIG_FILE = "protected-actions.toml"
"""The configuration file looked for beside the policies (and in their parents)."""
_KEYS = ("tenant", "emergency-accounts", "emergency-groups", "placeholders", "suppress", "baseline",
         "severity", "allow-empty")
_SUPPRESSION_KEYS = ("code", "reason", "subjects", "policy")
_SEVERITIES = tuple(s.value for s in Severity)
EMERGENCY_GROUP_MEMBER = "member of emergency group "
"""The id prefix of the account that stands for a member of an emergency group whose
members the directory does not list."""


class ConfigError(ProtectedActionsError, ValueError):
    """The configuration cannot be read or holds a setting that is not understood."""


@attrs.frozen
class Suppression:
    """A lint finding accepted on purpose: its code, optionally the policy or the
    subjects it is about, and the reason (mandatory)."""

    code: str
    reason: str
    subjects: tuple[str, ...] = ()
    policy: str | None = None

    def matches(self, finding: Finding) -> bool:
        """Whether this suppression covers ``finding``."""
        if finding.code != self.code:
            return False
        if self.policy is not None and self.policy not in (finding.policy_id,
                                                           *finding.subjects):
            return False
        return all(s in finding.subjects for s in self.subjects)


@attrs.frozen
class Config:
    """The settings read from a configuration file (all optional)."""

    path: Path | None = None
    tenant: tuple[Path, ...] = ()
    emergency_accounts: tuple[str, ...] = ()
    emergency_groups: tuple[str, ...] = ()
    placeholders: Mapping[str, str] = attrs.Factory(dict)
    suppressions: tuple[Suppression, ...] = ()
    baseline: Path | None = None
    severity: Mapping[str, Severity] = attrs.Factory(dict)
    allow_empty: bool = False


def _unknown(key: str, known: Sequence[str], where: str) -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
    return ConfigError(f"{where}: unknown setting {key!r}{hint}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _suppression(entry: Any, where: str) -> Suppression:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a table {{code, reason}}, got {entry!r}")
    for key in entry:
        if key not in _SUPPRESSION_KEYS:
            raise _unknown(key, _SUPPRESSION_KEYS, where)
    code = entry.get("code")
    if not isinstance(code, str) or code not in CATALOG:
        raise ConfigError(f"{where}: 'code' must be a lint code such as 'PA140', got "
                          f"{code!r}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ConfigError(f"{where}: a suppression of {code} needs a 'reason' saying why "
                          "the finding is accepted")
    policy = entry.get("policy")
    if policy is not None and not isinstance(policy, str):
        raise ConfigError(f"{where}: 'policy' must be a policy id, got {policy!r}")
    subjects = _strings(entry.get("subjects", []), f"{where}.subjects") \
        if entry.get("subjects") else ()
    return Suppression(code=code, reason=reason.strip(), subjects=subjects, policy=policy)


def parse_config(table: Mapping[str, Any], path: Path | None = None) -> Config:
    """The configuration held by a ``[tool.protected-actions]`` table.

    :raises ConfigError: an unknown key (with a suggestion), a wrong type, a
        suppression without a reason, an unknown lint code or severity.
    """
    where = f"{path}: [tool.protected-actions]" if path else "[tool.protected-actions]"
    for key in table:
        if key not in _KEYS:
            raise _unknown(key, _KEYS, where)
    placeholders = table.get("placeholders", {})
    if not isinstance(placeholders, Mapping) or not all(
            isinstance(k, str) and k and isinstance(v, str) for k, v in placeholders.items()):
        raise ConfigError(f"{where}.placeholders: expected a table of strings "
                          '("<Token>" = "value")')
    severity = table.get("severity", {})
    if not isinstance(severity, Mapping):
        raise ConfigError(f"{where}.severity: expected a table (PA140 = \"info\")")
    overrides: dict[str, Severity] = {}
    for code, level in severity.items():
        if code not in CATALOG:
            raise _unknown(code, tuple(CATALOG), f"{where}.severity")
        if level not in _SEVERITIES:
            raise ConfigError(f"{where}.severity.{code}: expected one of "
                              f"{', '.join(_SEVERITIES)}, got {level!r}")
        overrides[code] = Severity(level)
    suppress = table.get("suppress", [])
    if not isinstance(suppress, list):
        raise ConfigError(f"{where}.suppress: expected an array of tables")
    baseline = table.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise ConfigError(f"{where}.baseline: expected a file name, got {baseline!r}")
    allow_empty = table.get("allow-empty", False)
    if not isinstance(allow_empty, bool):
        raise ConfigError(f"{where}.allow-empty: expected true or false")
    base = path.parent if path else Path()
    return Config(
        path=path,
        tenant=tuple(base / t for t in _strings(table.get("tenant", []), f"{where}.tenant")),
        emergency_accounts=_strings(table.get("emergency-accounts", []),
                                    f"{where}.emergency-accounts"),
        emergency_groups=_strings(table.get("emergency-groups", []),
                                  f"{where}.emergency-groups"),
        placeholders=dict(placeholders),
        suppressions=tuple(_suppression(e, f"{where}.suppress[{i}]")
                           for i, e in enumerate(suppress)),
        baseline=base / baseline if baseline else None,
        severity=overrides,
        allow_empty=allow_empty)


def toml_document(path: Path) -> dict[str, Any]:
    """A TOML file, parsed.

    :raises ConfigError: it cannot be read or parsed.
    """
    if tomllib is None:  # pragma: no cover - Python 3.10 without the toml extra
        raise ConfigError(f"{path}: reading TOML on Python 3.10 needs the 'toml' extra "
                          "(pip install 'protected-actions[toml]')")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def read_config(path: Path) -> Config:
    """Read ``protected-actions.toml`` (the table at top level or under
    ``[tool.protected-actions]``) or ``pyproject.toml`` (``[tool.protected-actions]``).

    :raises ConfigError: the file cannot be read or parsed, or a setting is wrong.
    """
    data = toml_document(path)
    tool = data.get("tool")
    table: Any
    if isinstance(tool, Mapping) and "protected-actions" in tool:
        table = tool["protected-actions"]
    elif path.name == "pyproject.toml":
        return Config(path=path)
    else:
        table = data
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [tool.protected-actions] must be a table")
    return parse_config(table, path)


def find_config(start: Path) -> Config:
    """The configuration for policies in ``start``: the nearest
    ``protected-actions.toml``, or ``pyproject.toml`` with a ``[tool.protected-actions]``
    table, in ``start`` or a parent folder (stopping at a git repository's root);
    an empty :class:`Config` when there is none."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return read_config(own)
        project = candidate / "pyproject.toml"
        if project.is_file():
            config = read_config(project)
            if config != Config(path=project):
                return config
        if (candidate / ".git").exists():
            break
    return Config()


# -- emergency accounts ------------------------------------------------------------------------


def _members(tenant: Tenant, group: str) -> list[str]:
    return [u.id for u in tenant.users if group in u.member_of]


def apply_emergency(tenant: Tenant, accounts: Iterable[str] = (),
                    groups: Iterable[str] = ()) -> Tenant:
    """``tenant`` with more emergency access accounts: ``accounts`` and the members of
    ``groups`` the directory lists. A group whose members the directory does not list
    is stood for by one account, ``member of emergency group <id>``, a member of that
    group only, so every check asks about exactly what the exclusion covers."""
    designated = list(tenant.emergency_access_accounts)
    users = list(tenant.users)
    for group in groups:
        members = _members(tenant, group)
        if not members:
            stand_in = User(id=EMERGENCY_GROUP_MEMBER + group, member_of={group},
                            display_name=f"a member of emergency group {group}")
            users.append(stand_in)
            members = [stand_in.id]
        designated += members
    designated += list(accounts)
    unique = tuple(dict.fromkeys(designated))
    if unique == tenant.emergency_access_accounts:
        return tenant
    return carry_sources(tenant, attrs.evolve(tenant, emergency_access_accounts=unique,
                                              users=tuple(users)))


def load_configured_tenant(paths: Sequence[str | Path], config: Config, *,
                           allow_empty: bool = False, accounts: Iterable[str] = (),
                           groups: Iterable[str] = (), strict: bool = False) -> Tenant:
    """The tenant read from ``paths`` (or the configuration's ``tenant`` folders) with
    the configuration's placeholders, emergency accounts and groups, and ``accounts``
    and ``groups`` added (``strict``: every unknown property is an error)."""
    given = list(paths) or list(config.tenant)
    if not given:
        raise ConfigError("no tenant: give --tenant PATH, or 'tenant = [\"policies\"]' in "
                          f"{CONFIG_FILE} or [tool.protected-actions]")
    tenant = load_tenant(given[0] if len(given) == 1 else given,
                         allow_empty=allow_empty or config.allow_empty,
                         placeholders=config.placeholders or None, strict=strict)
    return apply_emergency(tenant, (*config.emergency_accounts, *accounts),
                           (*config.emergency_groups, *groups))


# -- findings: suppressions, severities, baseline ----------------------------------------------


@attrs.frozen
class Judged:
    """Lint findings after the configuration: what counts, what was accepted."""

    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...] = ()
    baselined: tuple[Finding, ...] = ()


def _key(finding: Finding) -> str:
    return "\x1f".join((finding.code, finding.policy_id or "", *finding.subjects))


def judge(findings: Sequence[Finding], config: Config,
          baseline: Iterable[str] = ()) -> Judged:
    """Apply severity overrides, then suppressions, then the baseline (keys written by
    :func:`write_baseline`) to ``findings``."""
    known = set(baseline)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, Suppression]] = []
    baselined: list[Finding] = []
    for finding in findings:
        level = config.severity.get(finding.code)
        if level is not None:
            finding = attrs.evolve(finding, severity=level)
        rule = next((s for s in config.suppressions if s.matches(finding)), None)
        if rule is not None:
            suppressed.append((finding, rule))
        elif _key(finding) in known:
            baselined.append(finding)
        else:
            kept.append(finding)
    kept.sort(key=Finding.sort_key)
    return Judged(tuple(kept), tuple(suppressed), tuple(baselined))


def read_baseline(path: Path | None) -> frozenset[str]:
    """The finding keys a baseline file holds (none when there is no file)."""
    if path is None or not path.is_file():
        return frozenset()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(_key(Finding(code=f["code"], severity=Severity.INFO, title="",
                                      message="", fix="", subjects=tuple(f["subjects"]),
                                      policy_id=f.get("policyId")))
                         for f in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a baseline file written by lint --write-baseline "
                          f"({exc})") from None


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Write ``findings`` as the accepted baseline: later runs fail only on new ones."""
    entries = [{"code": f.code, "policyId": f.policy_id, "subjects": list(f.subjects),
                "message": f.message} for f in findings]
    path.write_text(json.dumps({"findings": entries}, indent=2) + "\n", encoding="utf-8")
