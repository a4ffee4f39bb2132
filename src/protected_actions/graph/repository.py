"""Reading Conditional Access repositories as they are.

A CA-as-code repository is a folder tree of JSON files with any names: one policy
per file, arrays of policies, Graph pages ``{"value": [...]}``, Microsoft's template
list, named locations, authentication strengths and contexts, users, groups, role
data. Each file is classified by its content, not its name; a top-level file named
after a bundle key (``users.json``, ``emergencyAccessAccounts.json``...) is that
key, as in a bundle folder. A file that holds a whole bundle (an object with bundle
keys) contributes its keys.

Every object remembers where it came from (:class:`Source`: file and line), kept in a
side table of the tenant that takes no part in equality (:func:`sources`,
:func:`source_of`). A policy without an ``id`` is given one made from its file: the
path relative to the folder, plus ``[index]`` inside an array.

What is not understood, two objects with one id, or a repository without a policy is a
:class:`~protected_actions.errors.LoadError` naming the file(s) and line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from protected_actions.errors import LoadError, LoadProblem
from protected_actions.model.spelling import near_miss
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._converter import PolicyDocument, key_for, shared_converter
from ._errors import load_error
from ._io import PathLike, read_json_text
from ._schemas import BUNDLE_KEYS, POLICY, is_page

__all__ = [
    "SCENARIO_SUFFIX",
    "Source",
    "array_lines",
    "carry_sources",
    "load_repository",
    "source_of",
    "sources",
]

SCENARIO_SUFFIX = ".scenarios.json"
"""Scenario files live beside policies and are not tenant data."""

_POLICIES = "conditionalAccessPolicies"
_TEMPLATE = "template"
_SOURCES_KEY = "graph.sources"
_LIST_KEYS = frozenset(BUNDLE_KEYS) - {"emergencyAccessAccounts"}

_ODATA_TYPES: Mapping[str, str] = {
    "#microsoft.graph.conditionalaccesspolicy": _POLICIES,
    "#microsoft.graph.conditionalaccesstemplate": _TEMPLATE,
    "#microsoft.graph.ipnamedlocation": "namedLocations",
    "#microsoft.graph.countrynamedlocation": "namedLocations",
    "#microsoft.graph.compliantnetworknamedlocation": "namedLocations",
    "#microsoft.graph.authenticationstrengthpolicy": "authenticationStrengthPolicies",
    "#microsoft.graph.authenticationcontextclassreference":
        "authenticationContextClassReferences",
    "#microsoft.graph.user": "users",
    "#microsoft.graph.group": "groups",
    "#microsoft.graph.unifiedroledefinition": "roleDefinitions",
    "#microsoft.graph.unifiedroleassignment": "roleAssignments",
    "#microsoft.graph.unifiedroleeligibilityschedule": "roleEligibilitySchedules",
}

_KIND_NAMES: Mapping[str, str] = {
    _POLICIES: "policy",
    "namedLocations": "named location",
    "authenticationStrengthPolicies": "authentication strength",
    "authenticationContextClassReferences": "authentication context",
    "resourceActions": "protected action",
    "roleDefinitions": "role definition",
    "roleAssignments": "role assignment",
    "roleEligibilitySchedules": "role eligibility",
    "users": "user",
    "groups": "group",
}


@attrs.frozen
class Source:
    """Where an object was read: the file, the line its JSON object starts on, and
    its JSON path inside the file (``$``, ``$[2]``, ``$.value[0]``)."""

    file: str
    line: int
    pointer: str = "$"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def sources(tenant: Tenant) -> Mapping[tuple[str, str], Source]:
    """Where each object of a tenant read from files came from: ``(bundle key, id)``
    -> :class:`Source` (empty for a tenant built in code or from a mapping)."""
    table: Mapping[tuple[str, str], Source] = tenant.memo(_SOURCES_KEY, lambda _: {})
    return table


def source_of(tenant: Tenant, object_id: str, key: str = _POLICIES) -> Source | None:
    """The file and line an object (by default a policy) was read from, if known."""
    return sources(tenant).get((key, object_id))


# -- one entry per object found -------------------------------------------------------------


@attrs.frozen
class _Item:
    key: str
    body: Any
    source: Source


@attrs.define
class _Found:
    items: list[_Item] = attrs.Factory(list)
    raw: dict[str, tuple[Any, str]] = attrs.Factory(dict)
    problems: list[LoadProblem] = attrs.Factory(list)
    files: int = 0


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, at: int) -> int:
    match = _WS.match(text, at)
    return match.end() if match else at


def _starts(text: str, at: int) -> list[int]:
    """Offsets where the elements of the array at ``at`` start."""
    found: list[int] = []
    at = _skip(text, at + 1)
    while at < len(text) and text[at] != "]":
        found.append(at)
        _, at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        if at < len(text) and text[at] == ",":
            at = _skip(text, at + 1)
    return found


def _members(text: str, at: int) -> dict[str, int]:
    """Offsets where the member values of the object at ``at`` start."""
    found: dict[str, int] = {}
    at = _skip(text, at + 1)
    while at < len(text) and text[at] != "}":
        name, at = _DECODER.raw_decode(text, at)
        at = _skip(text, _skip(text, at) + 1)
        found[str(name)] = at
        _, at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        if at < len(text) and text[at] == ",":
            at = _skip(text, at + 1)
    return found


class _Lines:
    """Line numbers of offsets in one file's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks = [i for i, c in enumerate(text) if c == "\n"]

    def line(self, offset: int) -> int:
        import bisect

        return bisect.bisect_left(self._breaks, offset) + 1

    def elements(self, at: int) -> list[int]:
        return [self.line(o) for o in _starts(self.text, at)]

    def member(self, at: int, name: str) -> int | None:
        return _members(self.text, at).get(name)

    def start(self) -> int:
        return _skip(self.text.lstrip("\ufeff"), 0) + (1 if self.text[:1] == "\ufeff" else 0)


def array_lines(text: str) -> list[int]:
    """The line each element of the top-level JSON array in ``text`` starts on (none
    when the text holds no array)."""
    lines = _Lines(text)
    start = lines.start()
    return lines.elements(start) if text[start:start + 1] == "[" else []


def _kind(body: Any) -> str | None:
    """The bundle key an object belongs to, judged by its content."""
    if not isinstance(body, Mapping):
        return None
    keys = {ascii_lower(str(k)) for k in body}
    odata = body.get("@odata.type")
    if isinstance(odata, str) and ascii_lower(odata) in _ODATA_TYPES:
        return _ODATA_TYPES[ascii_lower(odata)]
    rules: tuple[tuple[frozenset[str], str], ...] = (
        (frozenset({"details"}), _TEMPLATE),
        (frozenset({"conditions", "grantcontrols", "sessioncontrols"}), _POLICIES),
        (frozenset({"ipranges", "countriesandregions", "countrylookupmethod"}),
         "namedLocations"),
        (frozenset({"allowedcombinations"}), "authenticationStrengthPolicies"),
        (frozenset({"isavailable"}), "authenticationContextClassReferences"),
        (frozenset({"authenticationcontextid"}), "resourceActions"),
        (frozenset({"rolepermissions"}), "roleDefinitions"),
        (frozenset({"userprincipalname", "usertype"}), "users"),
        (frozenset({"isassignabletorole", "securityenabled", "grouptypes", "mailenabled"}),
         "groups"),
    )
    for markers, key in rules:
        if keys & markers:
            if key == _TEMPLATE and not keys & {"name", "scenarios"}:
                continue
            return key
    if {"principalid", "roledefinitionid"} <= keys:
        return "roleEligibilitySchedules" if keys & {"scheduleinfo", "membertype"} \
            else "roleAssignments"
    return None


def _describe_keys(body: Any) -> str:
    if isinstance(body, Mapping):
        shown = ", ".join(sorted(str(k) for k in body)[:8])
        return f"an object with keys {shown or '(none)'}"
    return type(body).__name__


class _Reader:
    """Reads files into items, remembering files and lines."""

    def __init__(self, found: _Found, root: Path | None,
                 placeholders: Mapping[str, str] | None = None) -> None:
        self.found = found
        self.root = root
        self.placeholders = dict(placeholders or {})

    def _name(self, path: Path) -> str:
        return str(path)

    def _relative(self, path: Path) -> str:
        if self.root is None:
            return path.name
        return path.relative_to(self.root).as_posix()

    def _problem(self, path: Path, pointer: str, message: str, line: int | None) -> None:
        self.found.problems.append(LoadProblem(pointer, message, self._name(path), line))

    def read(self, path: Path, *, key: str | None = None) -> None:
        try:
            data, text = read_json_text(path)
        except LoadError as exc:
            self.found.problems.extend(exc.problems)
            return
        self.found.files += 1
        lines = _Lines(text)
        start = lines.start()
        if key is not None:
            self._keyed(path, key, data, lines, start, "$")
        elif isinstance(data, Mapping) and not is_page(data) and any(
                k in BUNDLE_KEYS for k in data):
            self._bundle(path, data, lines, start)
        else:
            self._document(path, data, lines, start)

    def _bundle(self, path: Path, data: Mapping[str, Any], lines: _Lines, start: int) -> None:
        for name, value in data.items():
            at = lines.member(start, name)
            if name in BUNDLE_KEYS and at is not None:
                self._keyed(path, name, value, lines, at, f"$.{name}")
            elif not str(name).startswith("@"):
                self._raw(path, str(name), value, lines.line(at or start))

    def _raw(self, path: Path, name: str, value: Any, line: int) -> None:
        if name in self.found.raw:
            other = self.found.raw[name][1]
            self._problem(path, f"$.{name}", f"bundle key {name!r} is also given in "
                                             f"{other}", line)
            return
        self.found.raw[name] = (value, f"{self._name(path)}:{line}")

    def _keyed(self, path: Path, key: str, value: Any, lines: _Lines, at: int,
               pointer: str) -> None:
        if key not in _LIST_KEYS:
            self._raw(path, key, value, lines.line(at))
            return
        if is_page(value):
            inner = lines.member(at, "value")
            for name, annotation in value.items():
                if name != "value" and not self.found.raw.get(key + name):
                    self.found.raw[key + name] = (annotation, self._name(path))
            value, at, pointer = value["value"], inner if inner is not None else at, \
                f"{pointer}.value"
        if not isinstance(value, list):
            # Let the converter say what is wrong with it, in this file.
            self._raw(path, key, value, lines.line(at))
            return
        for index, (body, line) in enumerate(zip(value, lines.elements(at), strict=True)):
            self._add(path, key, body, Source(self._name(path), line, f"{pointer}[{index}]"),
                      index)

    def _document(self, path: Path, data: Any, lines: _Lines, start: int) -> None:
        if is_page(data):
            at = lines.member(start, "value")
            bodies = list(zip(data["value"], lines.elements(at if at is not None else start),
                              strict=True))
            pointers = [f"$.value[{i}]" for i in range(len(bodies))]
            indexed = True
        elif isinstance(data, list):
            bodies = list(zip(data, lines.elements(start), strict=True))
            pointers = [f"$[{i}]" for i in range(len(bodies))]
            indexed = True
        else:
            bodies, pointers, indexed = [(data, lines.line(start))], ["$"], False
        for index, ((body, line), pointer) in enumerate(zip(bodies, pointers, strict=True)):
            key = _kind(body)
            if key is None:
                self._problem(path, pointer, "not understood: expected a Conditional Access "
                              "policy, a template, a named location, an authentication "
                              "strength or context, a user, a group, role data or a tenant "
                              f"bundle, got {_describe_keys(body)}", line)
                continue
            self._add(path, key, body, Source(self._name(path), line, pointer),
                      index if indexed else None)

    def _add(self, path: Path, key: str, body: Any, source: Source, index: int | None) -> None:
        if self.placeholders:
            body = _substitute(body, self.placeholders)
        if key in (_POLICIES, _TEMPLATE) and isinstance(body, Mapping):
            body = self._policy_body(path, key, body, source, index)
            if body is None:
                return
            key = _POLICIES
        self.found.items.append(_Item(key, body, source))

    def _policy_body(self, path: Path, key: str, body: Mapping[str, Any], source: Source,
                     index: int | None) -> Any:
        near = _near_misses(body) if key == _POLICIES else []
        for wrong, right in near:
            self._problem(path, f"{source.pointer}.{wrong}",
                          f"unknown property {wrong!r}; did you mean {right!r}?", source.line)
        if near:
            return None
        if key == _TEMPLATE:
            try:
                (policy,) = _structure_one(body, source)
            except LoadError as exc:
                self.found.problems.extend(exc.problems)
                return None
            return shared_converter().unstructure(policy)
        if body.get("id") is None and not any(ascii_lower(str(k)) == "id" for k in body):
            made = self._relative(path) + (f"[{index}]" if index is not None else "")
            body = {"id": made, **body}
        return body


def _substitute(value: Any, placeholders: Mapping[str, str]) -> Any:
    """``value`` with every placeholder token in its strings replaced."""
    if isinstance(value, str):
        for token, replacement in placeholders.items():
            if token in value:
                value = value.replace(token, replacement)
        return value
    if isinstance(value, Mapping):
        return {k: _substitute(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, placeholders) for v in value]
    return value


def _structure_one(body: Any, source: Source) -> tuple[Any, ...]:
    try:
        result: Any = shared_converter().structure(body, PolicyDocument)
    except LoadError as exc:
        raise LoadError([attrs.evolve(p, source=source.file, line=source.line)
                         for p in exc.problems]) from None
    except Exception as exc:
        raise load_error(exc, key_for, source=source.file) from exc
    return tuple(result)


def _near_misses(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Top-level keys of a policy that are not Graph's but close to one (a typo), by
    the rule the converter applies everywhere
    (:func:`~protected_actions.model.spelling.near_miss`), so the file and line can be
    named before the policy is structured."""
    known = POLICY.known
    names = sorted(set(known.values()))
    found: list[tuple[str, str]] = []
    for name in body:
        text = str(name)
        if "@" in text or ascii_lower(text) in known:
            continue
        close = near_miss(text, names)
        if close is not None:
            found.append((text, close))
    return found


# -- folders and the tenant -----------------------------------------------------------------


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.json")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") for p in parts) or path.name.endswith(SCENARIO_SUFFIX):
            continue
        if path.is_file():
            yield path


def _read_folder(reader: _Reader, folder: Path) -> None:
    for path in _files(folder):
        top = path.parent == folder
        reader.read(path, key=path.stem if top and path.stem in BUNDLE_KEYS else None)


def _object_id(key: str, body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return None
    if key == "resourceActions":
        value = body.get("name")
    else:
        value = next((v for k, v in body.items() if ascii_lower(str(k)) == "id"), None)
        if value is None and key == "namedLocations":
            value = body.get("displayName")
    if not isinstance(value, str):
        return None
    return ascii_lower(value) if key in ("roleDefinitions", "resourceActions") else value


def _duplicates(items: Sequence[_Item]) -> list[LoadProblem]:
    first: dict[tuple[str, str], _Item] = {}
    problems: list[LoadProblem] = []
    for item in items:
        object_id = _object_id(item.key, item.body)
        if object_id is None:
            continue
        seen = first.setdefault((item.key, object_id), item)
        if seen is not item:
            what = _KIND_NAMES.get(item.key, item.key)
            problems.append(LoadProblem(
                item.source.pointer,
                f"duplicate {what} id {object_id!r}: also defined in {seen.source} "
                f"({seen.source.pointer})", item.source.file, item.source.line))
    return problems


_INDEXED = re.compile(r"^\$\.(?P<key>[A-Za-z]+)\[(?P<index>\d+)\](?P<rest>.*)$")


def _locate(problem: LoadProblem, by_key: Mapping[str, list[_Item]],
            raw: Mapping[str, tuple[Any, str]]) -> LoadProblem:
    match = _INDEXED.match(problem.path)
    if match:
        items = by_key.get(match["key"], [])
        index = int(match["index"])
        if index < len(items):
            source = items[index].source
            return LoadProblem(source.pointer + match["rest"], problem.message, source.file,
                               source.line)
    top = re.match(r"^\$\.([A-Za-z@.]+)", problem.path)
    if top and top[1] in raw:
        where = raw[top[1]][1]
        file, _, line = where.rpartition(":")
        return attrs.evolve(problem, source=file or where,
                            line=int(line) if line.isdigit() else None)
    return problem


def _as_paths(sources_: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(sources_, (str, os.PathLike)):
        return [Path(sources_)]
    return [Path(p) for p in sources_]


def load_repository(paths: PathLike | Iterable[PathLike], *, allow_empty: bool = False,
                    placeholders: Mapping[str, str] | None = None,
                    strict: bool = False) -> Tenant:
    """Load a tenant from one or more folders or files as repositories hold them.

    Folders are walked recursively (hidden folders and ``*.scenarios.json`` files are
    skipped); every ``*.json`` file is classified by content. Several paths combine
    (policies from the repository, named locations and users from an export).
    ``placeholders`` maps tokens that templates use where ids belong
    (``"<EmergencyAccessAccountsGroup>"``) to the tenant's values; every string of
    every object read has them replaced. ``strict`` makes every unknown property an
    error (see :func:`~protected_actions.graph.load_tenant`).

    :raises LoadError: every file that is not understood, every duplicate id (both
        files named), every invalid object (file and line), or no policy at all
        unless ``allow_empty``.
    """
    found = _Found()
    given = _as_paths(paths)
    for path in given:
        if path.is_dir():
            _read_folder(_Reader(found, path, placeholders), path)
        else:
            _Reader(found, path.parent, placeholders).read(path)
    problems = [*found.problems, *_duplicates(found.items)]
    if problems:
        raise LoadError(problems)
    by_key: dict[str, list[_Item]] = {}
    for item in found.items:
        by_key.setdefault(item.key, []).append(item)
    bundle: dict[str, Any] = {key: [i.body for i in items] for key, items in by_key.items()}
    for name, (value, _) in found.raw.items():
        if name in bundle and isinstance(value, list):
            bundle[name] = [*value, *bundle[name]]
        else:
            bundle.setdefault(name, value)
    try:
        tenant: Tenant = shared_converter(strict=strict).structure(bundle, Tenant)
    except LoadError as exc:
        raise LoadError([_locate(p, by_key, found.raw) for p in exc.problems]) from None
    except Exception as exc:
        error = load_error(exc, key_for)
        raise LoadError([_locate(p, by_key, found.raw) for p in error.problems]) from exc
    if not tenant.policies and not allow_empty:
        names = ", ".join(str(p) for p in given)
        raise LoadError([LoadProblem(
            "$", f"no Conditional Access policy found ({found.files} JSON file(s) read); "
                 "a tenant without policies must be asked for explicitly (allow_empty=True, "
                 "--allow-empty)", names)])
    table = _source_table(tenant, by_key)
    tenant.memo(_SOURCES_KEY, lambda _: table)
    return tenant


def carry_sources(old: Tenant, new: Tenant) -> Tenant:
    """``new`` (a tenant derived from ``old``, e.g. by :func:`attrs.evolve`) with
    ``old``'s sources; returns ``new``."""
    table = dict(sources(old))
    new.memo(_SOURCES_KEY, lambda _: table)
    return new


def _source_table(tenant: Tenant, by_key: Mapping[str, list[_Item]]
                  ) -> dict[tuple[str, str], Source]:
    table: dict[tuple[str, str], Source] = {}
    fields = {
        _POLICIES: tenant.policies,
        "namedLocations": tenant.named_locations,
        "authenticationStrengthPolicies": tenant.authentication_strengths,
        "authenticationContextClassReferences": tenant.auth_contexts,
        "users": tenant.users,
        "groups": tenant.groups,
    }
    for key, objects in fields.items():
        items = by_key.get(key, [])
        if len(items) != len(objects):
            continue
        for item, obj in zip(items, objects, strict=True):
            table[(key, str(obj.id))] = item.source
    return table
