"""Session models: User, Device, SessionState (DESIGN §6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import attrs
import pytest
from tests.helpers import GA, NOW, auth

from protected_actions import (
    ClientAppType,
    Device,
    InvalidModelError,
    ProtectedActionsError,
    RiskLevel,
    SessionState,
    User,
)


class TestUser:
    """A person in the directory."""

    def test_defaults(self) -> None:
        """A user is a member with no groups, roles or known registered methods."""
        u = User(id="u1")
        assert u.user_type == "member"
        assert u.member_of == u.roles == u.eligible_roles == frozenset()
        assert u.registered_methods is None
        assert u.guest_or_external_user_type is None

    def test_collections_become_frozensets(self) -> None:
        """Groups, roles and eligible roles are stored as frozensets."""
        u = User(id="u1", member_of=["g1", "g1"], roles=[GA], eligible_roles=("r2",),
                 registered_methods=["fido2"])
        assert u.member_of == frozenset({"g1"})
        assert u.roles == frozenset({GA})
        assert u.eligible_roles == frozenset({"r2"})
        assert u.registered_methods == frozenset({"fido2"})

    @pytest.mark.parametrize(("build", "field", "expected"), [
        (lambda: User(id=""), "User.id", "an id (a non-blank string)"),
        (lambda: User(id="u1", member_of="g1"), "User.member_of", "a set of ids"),
        (lambda: User(id="u1", roles=[""]), "User.roles", "a set of ids (a non-blank string)"),
        (lambda: User(id="u1", eligible_roles=[1]), "User.eligible_roles",
         "a set of ids (a string)"),
        (lambda: User(id="u1", user_type=""), "User.user_type",
         "a user type: one of member, guest"),
        (lambda: User(id="u1", home_tenant_id=5), "User.home_tenant_id", "an id (a string)"),
    ])
    def test_invalid_values_name_the_field(self, build: Callable[[], object], field: str,
                                           expected: str) -> None:
        """Invalid values raise InvalidModelError naming the field and expectation."""
        with pytest.raises(InvalidModelError) as info:
            build()
        assert info.value.field == field
        assert info.value.expected == expected

    def test_hashable_and_evolvable(self) -> None:
        """Users hash by value and change through ``attrs.evolve``."""
        u = User(id="u1", roles={GA})
        assert hash(u) == hash(User(id="u1", roles=[GA]))
        assert attrs.evolve(u, roles=()).roles == frozenset()


class TestDevice:
    """A registered device (Graph what-if ``deviceInfo``)."""

    def test_hybrid_joined(self) -> None:
        """``trustType`` ``ServerAD`` is hybrid joined, in any case."""
        # entra-facts §7.3: ServerAD = hybrid joined.
        assert Device(trust_type="ServerAD").is_hybrid_joined
        assert Device(trust_type="serverad").is_hybrid_joined
        assert not Device(trust_type="AzureAD").is_hybrid_joined
        assert not Device().is_hybrid_joined

    def test_extension_attributes_need_management(self) -> None:
        """Extension attributes read as null unless managed, compliant or hybrid joined."""
        # entra-facts §7.3: values exist only if Intune-managed, compliant or hybrid joined.
        ext = {"extensionAttribute1": "SAW"}
        assert "extensionAttribute1" not in Device(extension_attributes=ext).filter_properties()
        for device in (Device(extension_attributes=ext, is_managed=True),
                       Device(extension_attributes=ext, is_compliant=True),
                       Device(extension_attributes=ext, trust_type="ServerAD")):
            assert device.filter_properties()["extensionAttribute1"] == "SAW"

    def test_filter_property_names(self) -> None:
        """Filter properties use the rule language's names."""
        props = Device(device_id="d1", trust_type="AzureAD", is_compliant=True).filter_properties()
        assert props["deviceId"] == "d1"
        assert props["trustType"] == "AzureAD"
        assert props["isCompliant"] is True
        assert props["model"] is None

    def test_unknown_extension_attribute_rejected(self) -> None:
        """Only extensionAttribute1..15 are accepted."""
        with pytest.raises(InvalidModelError) as info:
            Device(extension_attributes={"extensionAttribute16": "x"})
        assert info.value.field == "Device.extension_attributes"
        assert "extensionAttribute1..15" in info.value.expected

    def test_is_compliant_must_be_bool_or_none(self) -> None:
        """Compliance is a real bool or unknown."""
        with pytest.raises(InvalidModelError) as info:
            Device(is_compliant="True")  # type: ignore[arg-type]
        assert info.value.field == "Device.is_compliant"
        assert info.value.expected == "a bool or None"

    def test_hashable(self) -> None:
        """Devices, extension attributes included, hash by value."""
        a = Device(device_id="d1", extension_attributes={"extensionAttribute1": "SAW"})
        b = Device(device_id="d1", extension_attributes={"extensionAttribute1": "SAW"})
        assert hash(a) == hash(b)
        assert a == b


class TestSessionState:
    """Everything the evaluator knows about one request."""

    def test_only_time_and_user_required(self) -> None:
        """A session needs only ``at`` and ``user``; the rest has documented defaults."""
        s = SessionState(at=NOW, user=User(id="u1"))
        assert s.authentications == ()
        assert s.device is None  # an unregistered device
        assert s.device_platform is None
        assert s.ip_address is None
        assert s.country is None
        assert s.client_app_type == "browser"
        assert s.supports_claims_challenge is True
        assert s.accepted_terms_of_use == frozenset()

    def test_risk_levels_default_none(self) -> None:
        """Risk levels not supplied are ``none``."""
        # DESIGN §4.4: "Risk levels not supplied are none."
        s = SessionState(at=NOW, user=User(id="u1"))
        assert (s.sign_in_risk_level, s.user_risk_level, s.insider_risk_level) == (
            "none", "none", "none")

    def test_enum_values_become_strings(self) -> None:
        """Enum members are stored as Graph strings."""
        s = SessionState(at=NOW, user=User(id="u1"), client_app_type=ClientAppType.OTHER,
                         sign_in_risk_level=RiskLevel.HIGH)
        assert (s.client_app_type, s.sign_in_risk_level) == ("other", "high")
        assert type(s.client_app_type) is str

    def test_authentications_become_a_tuple(self) -> None:
        """A list of authentications is stored as a tuple."""
        s = SessionState(at=NOW, user=User(id="u1"), authentications=[auth("fido2")])
        assert s.authentications == (auth("fido2"),)

    def test_any_timezone_accepted(self) -> None:
        """Any timezone-aware time is accepted."""
        cet = timezone(timedelta(hours=1))
        s = SessionState(at=datetime(2026, 11, 29, 11, tzinfo=cet), user=User(id="u1"))
        assert s.at == NOW

    @pytest.mark.parametrize(("build", "field", "expected"), [
        (lambda: SessionState(at=datetime(2026, 11, 29, 10), user=User(id="u1")),
         "SessionState.at", "a timezone-aware datetime"),
        (lambda: SessionState(at="2026-11-29T10:00:00Z", user=User(id="u1")),
         "SessionState.at", "a timezone-aware datetime"),
        (lambda: SessionState(at=NOW, user=User(id="u1"), authentications=[object()]),
         "SessionState.authentications", "a sequence of Authentication"),
        (lambda: SessionState(at=NOW, user=User(id="u1"), supports_claims_challenge=1),
         "SessionState.supports_claims_challenge", "a bool"),
        (lambda: SessionState(at=NOW, user=User(id="u1"), client_app_type=""),
         "SessionState.client_app_type", "a client app type: one of browser, "
         "mobileAppsAndDesktopClients, exchangeActiveSync, easSupported, easUnsupported, other"),
        (lambda: SessionState(at=NOW, user=User(id="u1"), accepted_terms_of_use="tou"),
         "SessionState.accepted_terms_of_use", "a set of ids"),
        (lambda: SessionState(at=NOW, user=User(id="u1"),
                              password_changed_at=datetime(2026, 1, 1)),
         "SessionState.password_changed_at", "a timezone-aware datetime"),
    ])
    def test_invalid_values_name_the_field(self, build: Callable[[], object], field: str,
                                           expected: str) -> None:
        """Invalid values raise InvalidModelError naming the field and expectation."""
        with pytest.raises(InvalidModelError) as info:
            build()
        assert info.value.field == field
        assert info.value.expected == expected

    def test_wrong_type_user_names_the_field(self) -> None:
        """A user that is not a User raises the library's own error, naming the field."""
        # DESIGN §7: all raised errors derive from ProtectedActionsError.
        with pytest.raises(ProtectedActionsError) as info:
            SessionState(at=NOW, user="u1")  # type: ignore[arg-type]
        assert isinstance(info.value, InvalidModelError)
        assert info.value.field == "SessionState.user"

    def test_hashable_and_evolvable(self) -> None:
        """Sessions hash by value and change through ``attrs.evolve``."""
        s = SessionState(at=NOW, user=User(id="u1"), authentications=[auth("fido2")],
                         device=Device(is_compliant=True))
        assert hash(s) == hash(attrs.evolve(s))
        later = attrs.evolve(s, at=NOW + timedelta(hours=1))
        assert later != s
        assert later.authentications == s.authentications
