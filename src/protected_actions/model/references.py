"""References from policies to objects the tenant does not define."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .vocabulary import ascii_lower

if TYPE_CHECKING:
    from .tenant import Tenant

__all__ = ["unresolved_references"]

_SPECIAL_USERS = frozenset({"all", "none", "guestsorexternalusers", "allagentidusers"})
_SPECIAL_GROUPS_ROLES = frozenset({"all"})
_SPECIAL_LOCATIONS = frozenset({"all", "alltrusted"})


def unresolved_references(tenant: Tenant) -> tuple[tuple[str, str, str], ...]:
    """``(policy id, kind, id)`` for every user, group, role, named location,
    authentication strength and auth context a policy names but the tenant lacks."""
    users = {ascii_lower(u.id) for u in tenant.users}
    groups = {ascii_lower(g.id) for g in tenant.groups}
    roles = {ascii_lower(r.id) for r in tenant.all_role_definitions} | {
        ascii_lower(r.template_id) for r in tenant.all_role_definitions if r.template_id}
    locations = {n.id for n in tenant.named_locations}
    strengths = {s.id for s in tenant.all_authentication_strengths} | {
        p.grant_controls.embedded_authentication_strength.id for p in tenant.policies
        if p.grant_controls is not None
        and p.grant_controls.embedded_authentication_strength is not None}
    contexts = {c.id for c in tenant.auth_contexts}
    found: set[tuple[str, str, str]] = set()
    for p in tenant.policies:
        c = p.conditions
        if c.users is not None:
            u = c.users
            found |= {(p.id, "user", x) for x in (*u.include_users, *u.exclude_users)
                      if ascii_lower(x) not in _SPECIAL_USERS and ascii_lower(x) not in users}
            found |= {(p.id, "group", x) for x in (*u.include_groups, *u.exclude_groups)
                      if ascii_lower(x) not in groups | _SPECIAL_GROUPS_ROLES}
            found |= {(p.id, "role", x) for x in (*u.include_roles, *u.exclude_roles)
                      if ascii_lower(x) not in roles | _SPECIAL_GROUPS_ROLES}
        if c.locations is not None:
            found |= {(p.id, "namedLocation", x)
                      for x in (*c.locations.include_locations, *c.locations.exclude_locations)
                      if ascii_lower(x) not in _SPECIAL_LOCATIONS and x not in locations}
        if c.applications is not None:
            found |= {(p.id, "authContext", x)
                      for x in c.applications.include_authentication_context_class_references
                      if x not in contexts}
        g = p.grant_controls
        if g is not None and g.authentication_strength and \
                g.authentication_strength not in strengths:
            found.add((p.id, "authenticationStrength", g.authentication_strength))
    return tuple(sorted(found))
