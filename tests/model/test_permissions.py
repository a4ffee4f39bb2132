"""Permissions (resource actions), the protectable catalog and built-in role definitions."""

from __future__ import annotations

import attrs
import pytest

from protected_actions import (
    BUILT_IN_ROLES,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
    PROTECTABLE_PERMISSIONS,
    SECURITY_ADMINISTRATOR,
    InvalidModelError,
    InvalidPermissionError,
    Permission,
    RoleDefinition,
)

# entra-facts §1.4: the unique list of protectable permissions.
EXPECTED_CATALOG = {
    "microsoft.directory/conditionalAccessPolicies/basic/update",
    "microsoft.directory/conditionalAccessPolicies/create",
    "microsoft.directory/conditionalAccessPolicies/delete",
    "microsoft.directory/crossTenantAccessPolicy/allowedCloudEndpoints/update",
    "microsoft.directory/crossTenantAccessPolicy/default/b2bCollaboration/update",
    "microsoft.directory/crossTenantAccessPolicy/default/b2bDirectConnect/update",
    "microsoft.directory/crossTenantAccessPolicy/default/crossCloudMeetings/update",
    "microsoft.directory/crossTenantAccessPolicy/default/tenantRestrictions/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/b2bCollaboration/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/b2bDirectConnect/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/create",
    "microsoft.directory/crossTenantAccessPolicy/partners/crossCloudMeetings/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/delete",
    "microsoft.directory/crossTenantAccessPolicy/partners/tenantRestrictions/update",
    "microsoft.directory/deletedItems/delete",
    "microsoft.directory/namedLocations/basic/update",
    "microsoft.directory/namedLocations/create",
    "microsoft.directory/namedLocations/delete",
    "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update",
}

ALL_TASKS = "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks"
CA_POLICY_ACTIONS = (
    "microsoft.directory/conditionalAccessPolicies/create",
    "microsoft.directory/conditionalAccessPolicies/delete",
    "microsoft.directory/conditionalAccessPolicies/basic/update",
)


class TestPermissionParsing:
    """Reading a resource action string."""

    def test_parts(self) -> None:
        """A permission splits into namespace, entity and verb."""
        p = Permission("microsoft.directory/conditionalAccessPolicies/basic/update")
        assert (p.namespace, p.entity, p.verb) == (
            "microsoft.directory", "conditionalAccessPolicies", "update")
        assert p.parts == ("microsoft.directory", "conditionalAccessPolicies", "basic", "update")

    def test_str_and_repr_keep_the_text(self) -> None:
        """``str`` gives the text as written and ``repr`` is constructor-like."""
        p = Permission("Microsoft.Directory/DeletedItems/Delete")
        assert str(p) == "Microsoft.Directory/DeletedItems/Delete"
        assert repr(p) == "Permission('Microsoft.Directory/DeletedItems/Delete')"

    def test_directory_namespace(self) -> None:
        """Only ``microsoft.directory`` permissions are directory permissions, in any case."""
        assert Permission("MICROSOFT.DIRECTORY/deletedItems/delete").is_directory
        assert not Permission("contoso.payroll/payments/approve").is_directory

    def test_well_formed_action(self) -> None:
        """An action needs an entity and a verb after the namespace."""
        assert Permission("microsoft.directory/deletedItems/delete").verb == "delete"
        with pytest.raises(InvalidPermissionError):
            Permission("microsoft.directory/deletedItems")

    def test_all_tasks_wildcard(self) -> None:
        """``<entity>/allProperties/allTasks`` is recognised as a wildcard, in any case."""
        assert Permission(
            "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks").is_all_tasks
        assert Permission(
            "microsoft.directory/conditionalAccessPolicies/ALLPROPERTIES/alltasks").is_all_tasks
        assert not Permission("microsoft.directory/conditionalAccessPolicies/create").is_all_tasks

    @pytest.mark.parametrize("text", [
        "",
        "microsoft.directory",
        "not a permission",
        "microsoft.directory//create",
        "microsoft.directory/conditionalAccessPolicies/create ",
        "/microsoft.directory/deletedItems/delete",
    ])
    def test_malformed_is_rejected(self, text: str) -> None:
        """A malformed permission raises InvalidPermissionError naming the field."""
        with pytest.raises(InvalidPermissionError) as info:
            Permission(text)
        assert info.value.field == "Permission.value"
        assert info.value.value == text
        assert "resource action" in info.value.expected

    def test_non_string_is_rejected(self) -> None:
        """A non-string permission raises InvalidPermissionError, a ValueError."""
        with pytest.raises(InvalidPermissionError) as info:
            Permission(42)  # type: ignore[arg-type]
        assert isinstance(info.value, ValueError)


class TestPermissionEquality:
    """Names compare case-insensitively (entra-facts §1.5)."""

    def test_case_insensitive_equality(self) -> None:
        """Two spellings that differ only in case are equal."""
        assert Permission("microsoft.directory/conditionalAccessPolicies/create") == Permission(
            "Microsoft.Directory/ConditionalAccessPolicies/CREATE")

    def test_case_insensitive_hash(self) -> None:
        """Equal permissions hash alike, so sets deduplicate them."""
        spellings = {Permission("microsoft.directory/deletedItems/delete"),
                     Permission("MICROSOFT.DIRECTORY/DELETEDITEMS/DELETE")}
        assert len(spellings) == 1

    def test_different_actions_differ(self) -> None:
        """Different actions are not equal."""
        assert Permission("microsoft.directory/namedLocations/create") != Permission(
            "microsoft.directory/namedLocations/delete")

    def test_is_frozen(self) -> None:
        """A permission cannot be changed in place."""
        p = Permission("microsoft.directory/namedLocations/create")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            p.value = "x/y"  # type: ignore[misc]


class TestCovers:
    """Whether holding one permission grants another."""

    def test_equal_permission_covers(self) -> None:
        """A permission covers itself in any spelling."""
        assert Permission("microsoft.directory/namedLocations/create").covers(
            Permission("Microsoft.Directory/NamedLocations/Create"))

    @pytest.mark.parametrize("action", CA_POLICY_ACTIONS)
    def test_all_tasks_covers_every_action_on_the_entity(self, action: str) -> None:
        """``conditionalAccessPolicies/allProperties/allTasks`` covers create, delete and
        basic/update."""
        # entra-facts §10: Global Administrator holds CA policies only this way.
        wildcard = Permission(ALL_TASKS)
        assert wildcard.covers(Permission(action))

    def test_all_tasks_stays_on_its_entity(self) -> None:
        """An ``allTasks`` wildcard does not cover another entity's actions."""
        wildcard = Permission(ALL_TASKS)
        assert not wildcard.covers(Permission("microsoft.directory/namedLocations/create"))

    def test_all_tasks_stays_in_its_namespace(self) -> None:
        """An ``allTasks`` wildcard does not cover the same entity in another namespace."""
        wildcard = Permission(ALL_TASKS)
        assert not wildcard.covers(Permission("contoso.app/conditionalAccessPolicies/create"))

    def test_specific_action_does_not_cover_others(self) -> None:
        """A specific action covers nothing but itself."""
        assert not Permission("microsoft.directory/conditionalAccessPolicies/create").covers(
            Permission("microsoft.directory/conditionalAccessPolicies/delete"))


class TestProtectableCatalog:
    """The protectable permissions (entra-facts §1.4)."""

    def test_exactly_nineteen(self) -> None:
        """There are 19 unique protectable permissions."""
        assert len(PROTECTABLE_PERMISSIONS) == 19

    def test_matches_the_documented_list(self) -> None:
        """The catalog is exactly the documented list."""
        # entra-facts §1.4
        assert {p.value for p in PROTECTABLE_PERMISSIONS} == EXPECTED_CATALOG

    def test_membership_is_case_insensitive(self) -> None:
        """Membership tests ignore case."""
        assert Permission("MICROSOFT.DIRECTORY/DELETEDITEMS/DELETE") in PROTECTABLE_PERMISSIONS

    def test_all_directory_permissions(self) -> None:
        """Every protectable permission is a well-formed directory permission."""
        assert all(p.is_directory and len(p.parts) >= 3 for p in PROTECTABLE_PERMISSIONS)


class TestBuiltInRoles:
    """The built-in roles and the protectable permissions each holds (entra-facts §10)."""

    def test_template_ids(self) -> None:
        """The built-in roles carry their documented template ids."""
        # entra-facts §10
        assert {r.display_name: r.id for r in BUILT_IN_ROLES} == {
            "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
            "Conditional Access Administrator": "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
            "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
            "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
        }
        assert all(r.template_id == r.id and r.is_built_in for r in BUILT_IN_ROLES)

    @pytest.mark.parametrize("action", CA_POLICY_ACTIONS)
    def test_global_administrator_holds_ca_policies_through_all_tasks(self, action: str) -> None:
        """Global Administrator grants create, delete and basic/update without listing them."""
        # entra-facts §10: via conditionalAccessPolicies/allProperties/allTasks.
        assert Permission(action) not in GLOBAL_ADMINISTRATOR.permissions
        assert GLOBAL_ADMINISTRATOR.grants(Permission(action))

    def test_global_administrator_grants_every_protectable_permission(self) -> None:
        """Global Administrator grants all 19 protectable permissions."""
        # entra-facts §10: 16 literal + 3 through allTasks.
        assert all(GLOBAL_ADMINISTRATOR.grants(p) for p in PROTECTABLE_PERMISSIONS)

    def test_conditional_access_administrator(self) -> None:
        """CA Administrator grants 7 of the 19, and not deletedItems/delete."""
        # entra-facts §10: 7 / 19, no deletedItems/delete, no cross-tenant settings.
        granted = {p for p in PROTECTABLE_PERMISSIONS if CONDITIONAL_ACCESS_ADMINISTRATOR.grants(p)}
        assert len(granted) == 7
        assert not CONDITIONAL_ACCESS_ADMINISTRATOR.grants(
            Permission("microsoft.directory/deletedItems/delete"))
        assert not any(p.entity == "crossTenantAccessPolicy" for p in granted)

    def test_security_administrator(self) -> None:
        """Security Administrator grants 18 of the 19: all but deletedItems/delete."""
        # entra-facts §10
        missing = {p.value for p in PROTECTABLE_PERMISSIONS
                   if not SECURITY_ADMINISTRATOR.grants(p)}
        assert missing == {"microsoft.directory/deletedItems/delete"}

    def test_privileged_role_administrator_holds_none(self) -> None:
        """Privileged Role Administrator holds no protectable permission."""
        # entra-facts §10: 0 / 19.
        assert not any(PRIVILEGED_ROLE_ADMINISTRATOR.grants(p) for p in PROTECTABLE_PERMISSIONS)


class TestRoleDefinition:
    """Custom role definitions."""

    def test_strings_become_permissions(self) -> None:
        """Permission strings are converted to Permission objects."""
        role = RoleDefinition(id="r1", display_name="Payroll approver",
                              permissions=["contoso.payroll/payments/approve"], is_built_in=False)
        assert role.permissions == frozenset({Permission("contoso.payroll/payments/approve")})
        assert role.grants(Permission("CONTOSO.PAYROLL/payments/approve"))

    def test_empty_id_is_rejected(self) -> None:
        """An empty id is rejected, naming the field."""
        with pytest.raises(InvalidModelError) as info:
            RoleDefinition(id="", display_name="x")
        assert info.value.field == "RoleDefinition.id"
        assert info.value.expected == "a non-empty string"

    def test_bare_string_permissions_are_rejected(self) -> None:
        """A bare string is not split into characters: it is rejected."""
        with pytest.raises(InvalidModelError) as info:
            RoleDefinition(id="r1", display_name="x",
                           permissions="microsoft.directory/deletedItems/delete")  # type: ignore[arg-type]
        assert info.value.field == "RoleDefinition.permissions"

    def test_malformed_permission_is_rejected(self) -> None:
        """A malformed permission in the list raises InvalidPermissionError."""
        with pytest.raises(InvalidPermissionError):
            RoleDefinition(id="r1", display_name="x", permissions=["not a permission"])

    def test_hashable_and_evolvable(self) -> None:
        """Role definitions hash and change only through ``attrs.evolve``."""
        changed = attrs.evolve(CONDITIONAL_ACCESS_ADMINISTRATOR, display_name="Renamed")
        assert changed != CONDITIONAL_ACCESS_ADMINISTRATOR
        assert changed.permissions == CONDITIONAL_ACCESS_ADMINISTRATOR.permissions
        assert len({CONDITIONAL_ACCESS_ADMINISTRATOR, changed,
                    attrs.evolve(changed, display_name="Conditional Access Administrator")}) == 2
