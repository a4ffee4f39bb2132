"""Application groups: which application ids ``Office365``, ``MicrosoftAdminPortals``
and the Windows Azure Service Management API grouping cover.

Microsoft documents these groups by service name, not by id
(https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps,
https://learn.microsoft.com/entra/identity/conditional-access/reference-office-365-application-contents).
The shipped catalog (``applications.json`` next to this module) maps each documented
name to the ids it is known by, with the source of that mapping and a confidence
grade; it is read once per process. A tenant extends or corrects it with the bundle
key ``applicationGroups`` and tells its own applications from Microsoft's with
``servicePrincipals``.

Membership of an application id in a group (:meth:`ApplicationGroups.membership`):

1. an id the tenant removes from the group is not a member; one it adds is;
2. an id the catalog lists as a member is one (the explanation names the grade);
3. a service principal whose ``appOwnerOrganizationId`` is not a Microsoft tenant is
   the tenant's own or a third party's application: not a member;
4. an id the catalog lists as a known non-member is not a member;
5. an id the catalog lists for the group only as a past or an unconfirmed candidate
   member is **undetermined**;
6. a catalog id that is a member of another group only (the Azure portal, for
   ``Office365``) is not a member: the group's documented list of names does not
   name it;
7. any other Microsoft first-party id (in the catalog, or owned by a Microsoft
   tenant) is **undetermined**: the evaluator decides it fail-closed and says so;
8. any other id is absent from the first-party catalog: not a member.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .frozen import FrozenDict, FrozenJSON
from .validators import non_empty_str, optional_str, str_set, to_str_frozenset
from .vocabulary import ascii_lower

__all__ = [
    "ADMIN_PORTALS",
    "GROUP_KEYS",
    "OFFICE_365",
    "SERVICE_MANAGEMENT_API",
    "ApplicationCatalog",
    "ApplicationGroupChange",
    "ApplicationGroups",
    "CatalogEntry",
    "ServicePrincipal",
    "application_catalog",
]

OFFICE_365 = "Office365"
ADMIN_PORTALS = "MicrosoftAdminPortals"
SERVICE_MANAGEMENT_API = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
"""The Windows Azure Service Management API: a policy on it also covers the Azure
portal and the other services of its documented grouping."""

GROUP_KEYS = frozenset(ascii_lower(k) for k in (OFFICE_365, ADMIN_PORTALS,
                                                SERVICE_MANAGEMENT_API))
"""The lowercased (ASCII) ``includeApplications`` / ``excludeApplications`` values that name a
group of applications rather than one application."""

_GROUP_NAMES = {SERVICE_MANAGEMENT_API: "the Windows Azure Service Management API grouping"}

_GRADE_WORDS = {
    "A": "documented",
    "B": "Microsoft service principal of that name",
    "C": "former Graph Office365 keyword table",
    "D": "Microsoft docs GUID dictionary",
    "E": "community list only",
    "inferred": "inferred from a rename",
}


def grade_text(confidence: str) -> str:
    """The words for a catalog grade such as ``"A,B,C,D"``: its best source."""
    first = confidence.split(",")[0].strip()
    if first.endswith("-name"):
        return "name match only, unconfirmed"
    return _GRADE_WORDS.get(first, first)


@attrs.frozen(kw_only=True)
class CatalogEntry:
    """One id of the catalog: the name it is known by, where the name-to-id mapping
    comes from (a key of :attr:`ApplicationCatalog.sources`) and its grade."""

    app_id: str
    name: str
    source: str
    confidence: str

    @property
    def grade(self) -> str:
        """The grade in words (``documented`` for a Microsoft Learn page)."""
        return grade_text(self.confidence)


@attrs.frozen(kw_only=True)
class GroupCatalog:
    """What the catalog says about one group, by lowercased (ASCII) application id."""

    name: str
    members: Mapping[str, CatalogEntry]
    non_members: Mapping[str, CatalogEntry]
    undetermined: Mapping[str, tuple[CatalogEntry, str]]


@attrs.frozen(kw_only=True)
class ApplicationCatalog:
    """The shipped catalog (read once: :func:`application_catalog`)."""

    groups: Mapping[str, GroupCatalog]  # by lowercased (ASCII) group key
    first_party: Mapping[str, CatalogEntry]
    microsoft_tenants: frozenset[str]
    sources: Mapping[str, str]
    grades: Mapping[str, str]
    version: str


def _entry(raw: Mapping[str, Any]) -> CatalogEntry:
    return CatalogEntry(app_id=raw["appId"], name=raw["name"], source=raw["source"],
                        confidence=raw["confidence"])


def _by_id(rows: Iterable[Mapping[str, Any]]) -> dict[str, CatalogEntry]:
    out: dict[str, CatalogEntry] = {}
    for row in rows:
        out.setdefault(ascii_lower(row["appId"]), _entry(row))
    return out


def _group(name: str, raw: Mapping[str, Any]) -> GroupCatalog:
    members: dict[str, CatalogEntry] = {}
    undetermined: dict[str, tuple[CatalogEntry, str]] = {}
    for row in raw.get("members", ()):
        key = ascii_lower(row["appId"])
        if row.get("status") == "candidate-unconfirmed":
            undetermined.setdefault(key, (_entry(row), f"a candidate member of {name}, "
                                                        "unconfirmed"))
        else:
            members.setdefault(key, _entry(row))
    for row in raw.get("historicalOnly", ()):
        undetermined.setdefault(ascii_lower(row["appId"]), (
            _entry(row), f"listed in {name} in the past only"))
    for row in raw.get("indirectlyAffectedClients", ()):
        undetermined.setdefault(ascii_lower(row["appId"]), (
            _entry(row), f"affected by {name} only indirectly"))
    for key in members:
        undetermined.pop(key, None)
    non_members = _by_id([*raw.get("knownNonMembers", ()), *raw.get("notCovered", ())])
    return GroupCatalog(name=name, members=members, non_members=non_members,
                        undetermined=undetermined)


def _read_catalog(data: Mapping[str, Any]) -> ApplicationCatalog:
    groups = {ascii_lower(key): _group(_GROUP_NAMES.get(key, key), raw)
              for key, raw in data["groups"].items() if ascii_lower(key) in GROUP_KEYS}
    first_party = _by_id(data["firstParty"])
    for group in groups.values():
        for table in (group.members, group.non_members):
            for key, entry in table.items():
                first_party.setdefault(key, entry)
        for key, (entry, _) in group.undetermined.items():
            first_party.setdefault(key, entry)
    return ApplicationCatalog(
        groups=groups, first_party=first_party,
        microsoft_tenants=frozenset(ascii_lower(t["tenantId"])
                                    for t in data["microsoftOwnerTenants"]),
        sources=dict(data["sources"]), grades=dict(data["confidenceGrades"]),
        version=data["version"])


@cache
def application_catalog() -> ApplicationCatalog:
    """The shipped catalog, read from the package once per process."""
    text = resources.files(__package__).joinpath("applications.json").read_text("utf-8")
    return _read_catalog(json.loads(text))


def _padded(value: str) -> bool:
    return value != value.strip() or any(ord(c) < 32 for c in value)


def app_ids(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Application ids: non-empty strings without surrounding whitespace or control
    characters (a padded id would silently match nothing)."""
    str_set(instance, attribute, value)
    bad = sorted(v for v in value if _padded(v))  # type: ignore[attr-defined]
    if bad:
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "application ids without surrounding whitespace", bad)


def app_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """One application id (see :func:`app_ids`)."""
    non_empty_str(instance, attribute, value)
    if _padded(value):  # type: ignore[arg-type]
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "an application id without surrounding whitespace", value)


@attrs.frozen(kw_only=True)
class ServicePrincipal:
    """A Graph ``servicePrincipal`` of the tenant, as far as Conditional Access needs it:
    whose application it is (``appOwnerOrganizationId``)."""

    id: str | None = attrs.field(default=None, validator=optional_str)
    app_id: str = attrs.field(validator=app_id)
    app_owner_organization_id: str | None = attrs.field(default=None, validator=optional_str)
    display_name: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)


@attrs.frozen(kw_only=True)
class ApplicationGroupChange:
    """The tenant's change to one group of the shipped catalog: ids it adds and ids it
    removes (an id in both is an error)."""

    add: frozenset[str] = attrs.field(converter=to_str_frozenset, validator=app_ids,
                                      factory=frozenset)
    remove: frozenset[str] = attrs.field(converter=to_str_frozenset, validator=app_ids,
                                         factory=frozenset)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)

    def __attrs_post_init__(self) -> None:
        both = sorted({ascii_lower(a) for a in self.add} & {ascii_lower(r) for r in self.remove})
        if both:
            raise InvalidModelError("ApplicationGroupChange", "ids either added or removed, "
                                    "not both", both)


def check_group_names(names: Iterable[str]) -> None:
    """Every key of ``applicationGroups`` names a group the catalog knows."""
    unknown = sorted(n for n in names if ascii_lower(n) not in GROUP_KEYS)
    if unknown:
        raise InvalidModelError(
            "Tenant.application_groups",
            f"group names among {OFFICE_365}, {ADMIN_PORTALS}, {SERVICE_MANAGEMENT_API}",
            unknown)


Membership = tuple[bool | None, str]


class ApplicationGroups:
    """The catalog as one tenant sees it: its changes to each group and its service
    principals' owners. Answers are remembered (a pure function of the tenant)."""

    def __init__(self, changes: Mapping[str, ApplicationGroupChange],
                 service_principals: Iterable[ServicePrincipal],
                 catalog: ApplicationCatalog | None = None) -> None:
        self.catalog = catalog or application_catalog()
        self._added: dict[str, frozenset[str]] = {}
        self._removed: dict[str, frozenset[str]] = {}
        for name, change in changes.items():
            key = ascii_lower(name)
            self._added[key] = self._added.get(key, frozenset()) | {
                ascii_lower(a) for a in change.add}
            self._removed[key] = self._removed.get(key, frozenset()) | {
                ascii_lower(r) for r in change.remove}
        self._owners: dict[str, set[str | None]] = {}
        for sp in service_principals:
            owner = sp.app_owner_organization_id
            self._owners.setdefault(ascii_lower(sp.app_id), set()).add(
                ascii_lower(owner) if owner else None)
        self._memo: dict[tuple[str, str], Membership] = {}

    def membership(self, group: str, app_id: str) -> Membership:
        """Whether ``app_id`` is in ``group`` (``True``, ``False`` or ``None`` for
        undetermined) and why, in words."""
        key = (ascii_lower(group), ascii_lower(app_id))
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = self._decide(*key, app_id)
        return known

    def _decide(self, group: str, app: str, shown: str) -> Membership:
        found = self.catalog.groups[group]
        name = found.name
        if app in self._removed.get(group, ()):
            return False, f"{shown} is removed from {name} by the tenant's applicationGroups"
        if app in self._added.get(group, ()):
            return True, f"{shown} is added to {name} by the tenant's applicationGroups"
        member = found.members.get(app)
        if member is not None:
            return True, f"{member.name} is in {name} ({member.grade})"
        owners = self._owners.get(app, set())
        foreign = sorted(o for o in owners if o is not None
                         and o not in self.catalog.microsoft_tenants)
        if foreign:
            return False, (f"{shown} is not in {name}: its service principal is owned by "
                           f"tenant {foreign[0]}, not by Microsoft")
        outside = found.non_members.get(app)
        if outside is not None:
            return False, f"{outside.name} is not in {name} ({outside.grade})"
        maybe = found.undetermined.get(app)
        if maybe is not None:
            entry, why = maybe
            return None, (f"{entry.name} is {why} ({entry.grade}): membership of {name} "
                          "undetermined")
        elsewhere = sorted(g.name for g in self.catalog.groups.values()
                           if app in g.members)
        if elsewhere:
            entry = self.catalog.first_party[app]
            return False, (f"{entry.name} is not in {name}: the catalog knows it as a member "
                           f"of {elsewhere[0]}, and {name}'s list does not name it")
        first_party = self.catalog.first_party.get(app)
        if first_party is not None:
            return None, (f"{first_party.name} is a Microsoft application in no list of "
                          f"{name}: membership undetermined")
        if owners & self.catalog.microsoft_tenants:
            return None, (f"{shown} is a Microsoft application (its service principal's "
                          f"owner) in no list of {name}: membership undetermined")
        return False, (f"{shown} is not in {name}: not a Microsoft first-party application "
                       "the catalog knows")
