"""Authentication contexts and protected actions."""

from __future__ import annotations

import attrs
import pytest

from protected_actions import (
    PROTECTABLE_PERMISSIONS,
    AuthContext,
    InvalidModelError,
    InvalidPermissionError,
    Permission,
    ProtectedAction,
)


class TestAuthContext:
    """``authenticationContextClassReference`` (entra-facts §2.1)."""

    @pytest.mark.parametrize("context_id", ["c1", "c9", "c10", "c25", "c26", "c37", "c99"])
    def test_accepts_c1_to_c99(self, context_id: str) -> None:
        """Ids ``c1`` through ``c99`` are accepted."""
        # entra-facts §2.1: c1-c99 is current; the c1-c25 range is superseded.
        assert AuthContext(id=context_id).id == context_id

    @pytest.mark.parametrize("context_id", ["c0", "c100", "C1", "c01", "c", "1", "cp1", " c1", ""])
    def test_rejects_other_ids(self, context_id: str) -> None:
        """Anything but ``c1``..``c99`` is rejected, naming the field and the range."""
        with pytest.raises(InvalidModelError) as info:
            AuthContext(id=context_id)
        assert info.value.field == "AuthContext.id"
        assert "c1..c99" in info.value.expected
        assert info.value.value == context_id

    def test_not_published_by_default(self) -> None:
        """``is_available`` (Publish to apps) defaults to False, as in Graph."""
        # entra-facts §2.1: "The default value is false."
        assert AuthContext(id="c1").is_available is False

    def test_is_available_must_be_a_bool(self) -> None:
        """A truthy non-bool is not accepted as ``is_available``."""
        with pytest.raises(InvalidModelError) as info:
            AuthContext(id="c1", is_available=1)  # type: ignore[arg-type]
        assert info.value.field == "AuthContext.is_available"
        assert info.value.expected == "a bool"

    def test_hashable_and_evolvable(self) -> None:
        """Contexts hash by value and change through ``attrs.evolve``."""
        c = AuthContext(id="c1", display_name="Phishing-resistant")
        published = attrs.evolve(c, is_available=True)
        assert published.is_available
        assert not c.is_available
        assert hash(c) == hash(AuthContext(id="c1", display_name="Phishing-resistant"))
        assert len({c, published}) == 2

    def test_evolve_validates(self) -> None:
        """``attrs.evolve`` runs the validators again."""
        with pytest.raises(InvalidModelError):
            attrs.evolve(AuthContext(id="c1"), id="c100")


class TestProtectedAction:
    """A permission mapped to an auth context."""

    @pytest.mark.parametrize("permission", sorted(p.value for p in PROTECTABLE_PERMISSIONS))
    def test_accepts_every_protectable_permission(self, permission: str) -> None:
        """Every one of the 19 protectable permissions can be protected."""
        # entra-facts §1.4
        action = ProtectedAction(permission=permission, context_id="c1")
        assert action.permission == Permission(permission)

    @pytest.mark.parametrize("permission", [
        "microsoft.directory/users/create",
        "microsoft.directory/conditionalAccessPolicies/owners/update",
        "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",
    ])
    def test_rejects_a_non_protectable_directory_permission(self, permission: str) -> None:
        """A directory permission outside the catalog is rejected, naming the field."""
        with pytest.raises(InvalidModelError) as info:
            ProtectedAction(permission=permission, context_id="c1")
        assert info.value.field == "ProtectedAction.permission"
        assert "19 protectable" in info.value.expected
        assert info.value.value == permission

    def test_accepts_an_application_namespace(self) -> None:
        """An application's own namespace may map any permission."""
        # entra-facts §2.5: apps map their own sensitive operations to contexts.
        action = ProtectedAction(permission="contoso.payroll/payments/approve", context_id="c3")
        assert not action.permission.is_directory
        assert action.context_id == "c3"

    def test_catalog_membership_is_case_insensitive(self) -> None:
        """A protectable permission written in another case is accepted."""
        action = ProtectedAction(permission="Microsoft.Directory/DeletedItems/Delete",
                                 context_id="c2")
        assert action.permission in PROTECTABLE_PERMISSIONS

    def test_accepts_a_permission_object(self) -> None:
        """A Permission instance is used as is."""
        p = Permission("microsoft.directory/deletedItems/delete")
        assert ProtectedAction(permission=p, context_id="c2").permission is p

    def test_malformed_permission(self) -> None:
        """A malformed permission string raises InvalidPermissionError."""
        with pytest.raises(InvalidPermissionError):
            ProtectedAction(permission="deletedItems", context_id="c1")

    def test_empty_context_id(self) -> None:
        """The context id must be a non-empty string."""
        with pytest.raises(InvalidModelError) as info:
            ProtectedAction(permission="microsoft.directory/deletedItems/delete", context_id="")
        assert info.value.field == "ProtectedAction.context_id"
        assert info.value.expected == "a non-empty string"

    def test_hashable(self) -> None:
        """Protected actions differing only in permission case are equal and hash alike."""
        a = ProtectedAction(permission="microsoft.directory/deletedItems/delete", context_id="c2")
        b = ProtectedAction(permission="MICROSOFT.DIRECTORY/deletedItems/delete", context_id="c2")
        assert a == b
        assert hash(a) == hash(b)
