"""The Tenant aggregate: validation, built-ins, lookups and unresolved references."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from tests.helpers import CA_CREATE, DELETED_ITEMS_DELETE, GA, policy, tenant

from protected_actions import (
    BUILT_IN_ROLES,
    BUILT_IN_STRENGTHS,
    MFA_STRENGTH,
    ApplicationConditions,
    AuthContext,
    AuthenticationStrength,
    Group,
    InvalidModelError,
    IpNamedLocation,
    IpRange,
    LocationConditions,
    Policy,
    ProtectedAction,
    RoleAssignment,
    RoleDefinition,
    Tenant,
    User,
    UserConditions,
)
from protected_actions.engine.compile import compiled


class TestConstruction:
    """Building a tenant."""

    def test_empty_tenant(self) -> None:
        """An empty tenant is valid and has the built-in strengths and roles."""
        t = Tenant()
        assert t.policies == ()
        assert t.all_authentication_strengths == BUILT_IN_STRENGTHS
        assert t.all_role_definitions == BUILT_IN_ROLES

    def test_lists_become_tuples_in_order(self) -> None:
        """Collections are stored as tuples, keeping their order."""
        t = Tenant(policies=[Policy(id="p2"), Policy(id="p1")])
        assert [p.id for p in t.policies] == ["p2", "p1"]

    @pytest.mark.parametrize(("build", "field"), [
        (lambda: Tenant(policies=[Policy(id="p1"), Policy(id="p1")]), "Tenant.policies"),
        (lambda: Tenant(auth_contexts=[AuthContext(id="c1"), AuthContext(id="c1")]),
         "Tenant.auth_contexts"),
        (lambda: Tenant(users=[User(id="u1"), User(id="u1")]), "Tenant.users"),
        (lambda: Tenant(groups=[Group(id="g1"), Group(id="g1")]), "Tenant.groups"),
        (lambda: Tenant(authentication_strengths=[MFA_STRENGTH, MFA_STRENGTH]),
         "Tenant.authentication_strengths"),
        (lambda: Tenant(named_locations=[IpNamedLocation(id="l1", display_name="a"),
                                         IpNamedLocation(id="l1", display_name="b")]),
         "Tenant.named_locations"),
    ])
    def test_duplicate_ids_rejected(self, build: Callable[[], Tenant], field: str) -> None:
        """Two objects with one id are rejected, naming the collection and the id."""
        with pytest.raises(InvalidModelError) as info:
            build()
        assert info.value.field == field
        assert info.value.expected == "unique ids"
        assert len(info.value.value) == 1  # type: ignore[arg-type]

    def test_two_contexts_for_one_permission_rejected(self) -> None:
        """A permission can be protected by one context only, whatever its spelling."""
        with pytest.raises(InvalidModelError) as info:
            Tenant(protected_actions=[
                ProtectedAction(permission=CA_CREATE, context_id="c1"),
                ProtectedAction(permission=CA_CREATE.replace("create", "Create"),
                                context_id="c2")])
        assert info.value.field.startswith("Tenant.protected_actions")
        assert info.value.value == ["microsoft.directory/conditionalaccesspolicies/create"]

    def test_one_context_for_many_permissions(self) -> None:
        """One context can protect several permissions (entra-facts §1.1)."""
        t = tenant(protected=[(CA_CREATE, "c1"), (DELETED_ITEMS_DELETE, "c1")])
        assert t.context_for(CA_CREATE) == t.context_for(DELETED_ITEMS_DELETE) == "c1"

    def test_wrong_element_type_rejected(self) -> None:
        """A collection with the wrong element type is rejected, naming the field."""
        with pytest.raises(InvalidModelError) as info:
            Tenant(policies=["p1"])  # type: ignore[list-item]
        assert info.value.field == "Tenant.policies"
        assert info.value.expected == "a sequence of Policy"

    def test_hashable_and_evolvable(self) -> None:
        """Tenants hash by value and change through ``attrs.evolve``."""
        t = tenant(policy())
        assert hash(t) == hash(tenant(policy()))
        more = attrs.evolve(t, policies=[*t.policies, policy("p2")])
        assert len(more.policies) == 2
        assert len(t.policies) == 1


class TestBuiltIns:
    """Built-in strengths and roles are always present."""

    def test_own_strength_added(self) -> None:
        """A tenant's own strength follows the built-ins."""
        own = AuthenticationStrength(id="s1", display_name="Keys",
                                     allowed_combinations=[("fido2",)])
        t = Tenant(authentication_strengths=[own])
        assert t.all_authentication_strengths == (*BUILT_IN_STRENGTHS, own)

    def test_copy_of_a_built_in_strength_replaces_it(self) -> None:
        """A tenant copy of a built-in strength id replaces the built-in."""
        copy = attrs.evolve(MFA_STRENGTH, allowed_combinations=[("fido2",)])
        t = Tenant(authentication_strengths=[copy])
        ids = [s.id for s in t.all_authentication_strengths]
        assert ids.count(MFA_STRENGTH.id) == 1
        assert copy in t.all_authentication_strengths

    def test_own_role_replaces_built_in(self) -> None:
        """A tenant's role definition with a built-in id replaces the built-in."""
        narrowed = RoleDefinition(id=GA, display_name="Global Administrator")
        t = Tenant(role_definitions=[narrowed])
        assert [r for r in t.all_role_definitions if r.id == GA] == [narrowed]


class TestLookups:
    """Lookups on a tenant."""

    def test_context_for_is_case_insensitive(self) -> None:
        """The context protecting a permission is found in any spelling."""
        t = tenant()
        assert t.context_for(CA_CREATE.upper().replace("MICROSOFT.DIRECTORY",
                                                       "microsoft.directory")) == "c1"
        assert t.context_for(DELETED_ITEMS_DELETE) is None

    def test_policy_by_id(self) -> None:
        """``policy`` finds a policy by id and raises KeyError otherwise."""
        t = tenant(policy("p1"), policy("p2"))
        assert t.policy("p2").id == "p2"
        with pytest.raises(KeyError):
            t.policy("p3")

    def test_compiled_once(self) -> None:
        """The compiled index is built once and reused."""
        t = tenant(policy())
        assert compiled(t) is compiled(t)


class TestUnresolvedReferences:
    """References to objects the tenant does not define (DESIGN §4.7)."""

    def test_clean_tenant_has_none(self) -> None:
        """A tenant that defines everything its policies name has no unresolved reference."""
        hq = IpNamedLocation(id="loc-hq", display_name="HQ",
                             ip_ranges=[IpRange.from_cidr("203.0.113.0/24")])
        t = tenant(policy(users=UserConditions(include_users=["All", "u1"],
                                               exclude_groups=["g1"], include_roles=[GA]),
                          locations=LocationConditions(include_locations=["All"],
                                                       exclude_locations=["loc-hq",
                                                                          "AllTrusted"]),
                          controls=(), strength=MFA_STRENGTH.id),
                   users=[User(id="u1")], groups=[Group(id="g1")], named_locations=[hq])
        assert t.unresolved_references() == ()

    def test_lists_every_unknown_reference_sorted(self) -> None:
        """Unknown users, groups, roles, locations, strengths and contexts are listed."""
        t = tenant(
            policy("p2", users=UserConditions(include_users=["All", "ghost"],
                                              exclude_groups=["g-missing"],
                                              include_roles=["role-missing"]),
                   locations=LocationConditions(include_locations=["loc-missing"]),
                   controls=(), strength="strength-missing", contexts=("c1", "c7")),
            policy("p1", contexts=("c8",)))
        assert t.unresolved_references() == (
            ("p1", "authContext", "c8"),
            ("p2", "authContext", "c7"),
            ("p2", "authenticationStrength", "strength-missing"),
            ("p2", "group", "g-missing"),
            ("p2", "namedLocation", "loc-missing"),
            ("p2", "role", "role-missing"),
            ("p2", "user", "ghost"),
        )

    def test_unknown_references_never_fail_construction(self) -> None:
        """A policy naming missing objects still builds a tenant (lint reports it)."""
        t = Tenant(policies=[Policy(
            id="p1", conditions=attrs.evolve(
                policy().conditions,
                applications=ApplicationConditions(
                    include_authentication_context_class_references=["c42"])))])
        assert t.unresolved_references() == (("p1", "authContext", "c42"),)

    def test_special_values_are_not_references(self) -> None:
        """``All``, ``None``, ``GuestsOrExternalUsers`` and ``AllTrusted`` are not ids."""
        t = tenant(policy(users=UserConditions(include_users=["None", "GuestsOrExternalUsers"],
                                               exclude_users=["GuestsOrExternalUsers"]),
                          locations=LocationConditions(include_locations=["AllTrusted"])))
        assert t.unresolved_references() == ()

    def test_role_assignment_scope_default(self) -> None:
        """A role assignment is tenant-wide (``/``) unless a scope is given."""
        assert RoleAssignment(principal_id="u1", role_definition_id=GA).directory_scope_id == "/"
