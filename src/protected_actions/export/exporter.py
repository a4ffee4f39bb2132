"""Read a tenant from Microsoft Graph into a bundle: the collections of
:data:`~protected_actions.export.endpoints.LISTS`, then the users and groups that the
policies, role assignments and eligibilities name.

Which users and groups:

- every user and group a policy includes or excludes (``All``, ``None`` and
  ``GuestsOrExternalUsers`` are keywords, not objects), and the emergency access
  accounts given;
- every user or group that holds a role, active or eligible, and the users in a
  group that holds one (its transitive members);
- a role holder that is a service principal stays in ``servicePrincipals``.

A user gets its transitive group memberships as ``memberOf``; a group gets its
``isAssignableToRole``. A role holder that Graph knows neither as a user, a group nor
a service principal (deleted since) is listed in :attr:`Export.unresolved`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from protected_actions.graph import load_tenant
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from .client import GraphClient
from .endpoints import GROUP, GROUP_MEMBERS, LISTS, USER, USER_MEMBERSHIPS

__all__ = ["USER_KEYWORDS", "Export", "Progress", "export_tenant"]


def __dir__() -> list[str]:
    return __all__


Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called as the export goes."""

USER_KEYWORDS = frozenset({"all", "none", "guestsorexternalusers"})
"""Values of ``includeUsers`` / ``excludeUsers`` that are keywords, not user ids
(compared without case)."""

_GROUP_TYPE = "#microsoft.graph.group"
_USER_TYPE = "#microsoft.graph.user"


@attrs.frozen
class Export:
    """What an export read: the bundle (key -> list of Graph objects, or the
    emergency account ids), the role holders Graph no longer knows, and the number of
    HTTP requests made (retries included)."""

    bundle: dict[str, list[Any]]
    unresolved: tuple[str, ...] = ()
    requests: int = 0

    def tenant(self) -> Tenant:
        """The bundle loaded (:func:`~protected_actions.graph.load_tenant`)."""
        return load_tenant(self.bundle)


def _named(values: Iterable[str]) -> list[str]:
    return [v for v in values if ascii_lower(v) not in USER_KEYWORDS]


def _ordered(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))


class _Run:
    def __init__(self, client: GraphClient, progress: Progress | None) -> None:
        self.client = client
        self.progress = progress or (lambda done, total, label: None)
        self.done = 0
        self.total = len(LISTS)
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}

    def step(self, label: str) -> None:
        self.done += 1
        self.progress(self.done, self.total, label)

    def user(self, user_id: str) -> bool:
        """Read a user and its groups; whether Graph knows it as a user."""
        if user_id in self.users:
            return True
        found = self.client.get_object(USER, id=user_id)
        self.step(f"user {user_id}")
        if found is None:
            return False
        memberships = self.client.list_all(USER_MEMBERSHIPS, id=user_id)
        found["memberOf"] = _ordered(m["id"] for m in memberships
                                     if m.get("@odata.type") == _GROUP_TYPE
                                     and isinstance(m.get("id"), str))
        self.users[user_id] = found
        return True

    def group(self, group_id: str, *, with_members: bool) -> bool:
        """Read a group (and, for a role holder, its member users); whether Graph
        knows it as a group."""
        if group_id not in self.groups:
            found = self.client.get_object(GROUP, id=group_id)
            self.step(f"group {group_id}")
            if found is None:
                return False
            self.groups[group_id] = found
        if with_members:
            members = self.client.list_all(GROUP_MEMBERS, id=group_id)
            users = [m["id"] for m in members if m.get("@odata.type") == _USER_TYPE
                     and isinstance(m.get("id"), str)]
            self.total += len(users)
            for user_id in users:
                self.user(user_id)
        return True


def _policy_principals(tenant: Tenant) -> tuple[set[str], set[str]]:
    """The user ids and group ids the policies include or exclude."""
    users: set[str] = set()
    groups: set[str] = set()
    for policy in tenant.policies:
        conditions = policy.conditions.users
        if conditions is None:
            continue
        users.update(_named((*conditions.include_users, *conditions.exclude_users)))
        groups.update(_named((*conditions.include_groups, *conditions.exclude_groups)))
    return users, groups


def export_tenant(client: GraphClient, *, emergency_access_accounts: Sequence[str] = (),
                  progress: Progress | None = None) -> Export:
    """Read the tenant behind ``client`` into a bundle (the folder layout of
    :func:`~protected_actions.graph.load_tenant`, as a mapping).

    The policies and role assignments are loaded (which checks them) before the
    users and groups they name are read.

    :param emergency_access_accounts: user ids of the break-glass accounts; they are
        exported and listed under ``emergencyAccessAccounts``.
    :param progress: called after each request group with ``(done, total, label)``.
    :raises MissingPermissionError: Graph answered 403; it names the permission.
    :raises ExportError: Graph could not be read.
    :raises LoadError: what Graph returned does not load.
    """
    run = _Run(client, progress)
    bundle: dict[str, list[Any]] = {}
    for endpoint in LISTS:
        bundle[endpoint.key] = client.list_all(endpoint)
        run.step(endpoint.key)
    tenant = load_tenant(bundle)

    policy_users, policy_groups = _policy_principals(tenant)
    holders = {a.principal_id for a in tenant.role_assignments} | {
        e.principal_id for e in tenant.role_eligibilities}
    service_principals = {sp.get("id") for sp in bundle["servicePrincipals"]}
    holders -= service_principals
    emergency = _ordered(emergency_access_accounts)
    wanted_users = _ordered(policy_users | set(emergency))
    wanted_groups = _ordered(policy_groups)
    run.total += len(wanted_users) + len(wanted_groups) + len(holders)

    for user_id in wanted_users:
        run.user(user_id)
    for group_id in wanted_groups:
        run.group(group_id, with_members=False)
    unresolved = []
    for holder in _ordered(holders):
        if holder in run.groups:
            run.group(holder, with_members=True)
        elif not run.user(holder) and not run.group(holder, with_members=True):
            unresolved.append(holder)

    bundle["users"] = [run.users[k] for k in sorted(run.users)]
    bundle["groups"] = [run.groups[k] for k in sorted(run.groups)]
    if emergency:
        bundle["emergencyAccessAccounts"] = emergency
    return Export(bundle=bundle, unresolved=tuple(unresolved), requests=client.requests)
