"""The session models' one-pass check against their field validators.

``User``, ``Device``, ``Authentication`` and ``SessionState`` accept their common
shape (exact types, values spelled as known) in one pass and run every field's
converter and validator otherwise. These tests pin that the shortcut changes
nothing: for adversarial values (padded, blank, control and format characters,
homoglyphs, other cases, enum members, ``str`` subclasses, wrong types and
containers) a construction gives the object, or the error, that running every
field's converter and validator the way attrs does (converters first, then
validators in field order) gives.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from protected_actions import (
    Authentication,
    AuthMethod,
    ClientAppType,
    Device,
    InvalidModelError,
    RiskLevel,
    SessionState,
    User,
)
from protected_actions.model import session as session_module
from protected_actions.model.frozen import FrozenDict
from protected_actions.model.spelling import token_problem
from protected_actions.model.validators import _CHECKS, plain_aware_datetime
from protected_actions.model.vocabulary import plain_id, plain_ids, text_problem

UTC = timezone.utc
AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
ALICE = User(id="alice")


class Text(str):
    """A ``str`` subclass: valid where a string is, but not the common shape."""


@attrs.frozen
class Iterated:
    """A value given as a one-shot iterator over ``items`` (a new one each time)."""

    items: tuple[Any, ...]


class NoOffset(tzinfo):
    """A time zone that knows no offset: its times are not timezone-aware."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


class Unruly:
    """Iterable, but with no truth value (as an array has none)."""

    def __iter__(self) -> Iterator[str]:
        return iter(["sms"])

    def __bool__(self) -> bool:
        raise ValueError("no truth value")


class Anything:
    """Equal to everything, hashing like ``"g1"``: never a string."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("g1")


def as_attrs_did(cls: type, **given: Any) -> object:
    """``cls(**given)`` as attrs built it when every field carried its converter and
    validator: each field's full converter on the given value (or the default),
    then every validator in field order."""
    instance = object.__new__(cls)
    for field in attrs.fields(cls):
        if field.name in given:
            value = given[field.name]
        elif field.default is attrs.NOTHING:
            raise TypeError(f"missing {field.name}")
        else:
            value = field.default
        convert = field.metadata.get(_CHECKS, (None, None))[0] or field.converter
        object.__setattr__(instance, field.name, value if convert is None else convert(value))
    if "_attrs_cached_hash" in getattr(cls, "__slots__", ()):
        object.__setattr__(instance, "_attrs_cached_hash", None)
    for field in attrs.fields(cls):
        if _CHECKS in field.metadata:
            field.metadata[_CHECKS][1](instance, field, getattr(instance, field.name))
    return instance


def shape(value: object) -> object:
    """The value with the type of everything in it (an enum member is not its str)."""
    if isinstance(value, (frozenset, set)):
        return (type(value), sorted((shape(v) for v in value), key=repr))
    if isinstance(value, (tuple, list)):
        return (type(value), [shape(v) for v in value])
    if isinstance(value, Mapping):
        return (type(value), sorted(((shape(k), shape(v)) for k, v in value.items()),
                                    key=repr))
    if attrs.has(type(value)):
        return (type(value), [shape(getattr(value, f.name)) for f in attrs.fields(type(value))])
    return (type(value), repr(value))


def outcome(build: Callable[[], object]) -> object:
    """What a construction gives: the object in full, or the error in full."""
    try:
        built = build()
    except InvalidModelError as error:
        return ("invalid", type(error), error.field, error.expected, repr(error.value))
    except Exception as error:  # any other error must be the same one
        return ("error", type(error), str(error))
    return ("built", shape(built), hash(built))


def same(cls: type, **given: Any) -> None:
    assert outcome(lambda: cls(**given)) == outcome(lambda: as_attrs_did(cls, **given))


IDS: list[Any] = ["u1", "", " ", " u1", "u1 ", "u1\n", "\tu1", "u\x001", "u\u200b1",
                  "\u00a0u1", "u1\u2028", "\u0456d", "ü", Text("u1"), 1, None, b"u1"]
VOCABULARY: list[Any] = [
    "member", "MEMBER", "guest ", "guests", "gue\x00st", "none", "HIGH", "high ", "hihg",
    "h\u0456gh", "browser", "Browser", "bro\u200bwser", "other", "windows", "iOS", "IOS",
    "chromeOS", "i0S", "mac OS", "AzureAD", "serverad", "EntraID", "AzurAD", "Azure-AD",
    "deviceCodeFlow", "b2bCollaborationGuest", "serviceProvider ", "", " ", None, 1, True,
    ["high"], RiskLevel.HIGH, ClientAppType.OTHER, Text("high"), Text("browser")]
SETS: list[Any] = [
    frozenset(), frozenset({"g1"}), frozenset({"g1", "g2"}), frozenset({"g1 "}),
    frozenset({""}), frozenset({1}), frozenset({Text("g1")}), frozenset({AuthMethod.SMS}),
    frozenset({Anything()}), ["g1", "g2", "g1"], ("g1",), {"g1"}, [], (), "g1",
    ["g1", ["x"]], [None], None, 7, Iterated(("g1",)), {"g1": 1}.keys(), Unruly()]
METHODS: list[Any] = [
    frozenset({"password", "sms"}), ["fido2"], ("Password", "SMS"), {"FIDO2"}, frozenset(),
    [], ["sms "], ["smss"], ["unknownFutureValue"], ["\u0455ms"], [AuthMethod.SMS],
    frozenset({AuthMethod.FIDO2, "fido2"}), [Text("sms")], "sms", None, [1], [["sms"]],
    Unruly()]
TIMES: list[Any] = [AT, AT.astimezone(timezone(timedelta(hours=-5))), datetime(2026, 11, 29),
                    datetime(2026, 11, 29, tzinfo=NoOffset()), "2026-11-29T10:00:00Z", None, 0]
FLAGS: list[Any] = [True, False, None, 0, 1, "true"]
TEXTS: list[Any] = ["x", "", " x ", Text("x"), None, 1, b"x"]
TUPLES: list[Any] = [(), ("a",), ["a", "b"], ("",), ("a ",), (1,), [Text("a")],
                     frozenset({"a"}), "a", None, Iterated(("a",)), Unruly()]
EXTENSIONS: list[Any] = [
    FrozenDict(), FrozenDict({"extensionAttribute1": "SAW"}), {"extensionAttribute1": "SAW"},
    {"extensionAttribute16": "x"}, {"extensionAttribute1": 1}, {1: "x"},
    {"ExtensionAttribute1": "x"}, FrozenDict({"extensionAttribute1": Text("x")}), None, []]

AUTH = Authentication(methods={"password"}, at=AT)

FIELD_VALUES: dict[type, dict[str, list[Any]]] = {
    User: {"id": IDS, "display_name": TEXTS, "user_type": VOCABULARY, "member_of": SETS,
           "roles": SETS, "eligible_roles": SETS, "registered_methods": METHODS,
           "guest_or_external_user_type": VOCABULARY, "home_tenant_id": IDS},
    Authentication: {"methods": METHODS, "at": TIMES, "fido2_aaguid": IDS},
    Device: {"device_id": IDS, "display_name": TEXTS, "is_compliant": FLAGS,
             "is_managed": FLAGS, "trust_type": VOCABULARY, "model": TEXTS,
             "profile_type": TEXTS, "physical_ids": TUPLES, "system_labels": TUPLES,
             "extension_attributes": EXTENSIONS},
    SessionState: {
        "at": TIMES, "user": [ALICE, "alice", None],
        "authentications": [(), (AUTH,), [AUTH, AUTH], (object(),), AUTH, None],
        "device_platform": VOCABULARY, "device": [None, Device(), "device", ALICE],
        "ip_address": TEXTS, "country": TEXTS, "client_app_type": VOCABULARY,
        "supports_claims_challenge": FLAGS, "sign_in_risk_level": VOCABULARY,
        "user_risk_level": VOCABULARY, "insider_risk_level": VOCABULARY,
        "authentication_flow": VOCABULARY, "application_id": IDS,
        "accepted_terms_of_use": SETS, "satisfied_custom_controls": SETS,
        "password_changed_at": TIMES, "is_approved_client_app": FLAGS,
        "has_app_protection_policy": FLAGS},
}
REQUIRED: dict[type, dict[str, Any]] = {
    User: {"id": "u1"}, Device: {}, Authentication: {"methods": ["password"], "at": AT},
    SessionState: {"at": AT, "user": ALICE},
}
CASES = [(cls, name, value) for cls, fields in FIELD_VALUES.items()
         for name, values in fields.items() for value in values]


def fresh(value: Any) -> Any:
    """An iterator is used up by one construction: give each its own."""
    return iter(value.items) if isinstance(value, Iterated) else value


@pytest.mark.parametrize(("cls", "name", "value"), CASES,
                         ids=[f"{c.__name__}.{n}={v!r}" for c, n, v in CASES])
def test_one_value_gives_what_the_field_validators_give(cls: type, name: str,
                                                         value: Any) -> None:
    assert outcome(lambda: cls(**{**REQUIRED[cls], name: fresh(value)})) == \
        outcome(lambda: as_attrs_did(cls, **{**REQUIRED[cls], name: fresh(value)}))


@st.composite
def constructions(draw: st.DrawFn) -> tuple[type, dict[str, Any]]:
    cls = draw(st.sampled_from(sorted(FIELD_VALUES, key=lambda c: c.__name__)))
    fields = FIELD_VALUES[cls]
    names = draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True))
    given = dict(REQUIRED[cls])
    for name in names:
        given[name] = draw(st.sampled_from(fields[name]))
    return cls, given


@given(constructions())
def test_any_values_give_what_the_field_validators_give(
        construction: tuple[type, dict[str, Any]]) -> None:
    """Several fields at once: the first invalid field in field order is the error,
    as when attrs ran the validators."""
    cls, given_values = construction
    assert outcome(lambda: cls(**{k: fresh(v) for k, v in given_values.items()})) == \
        outcome(lambda: as_attrs_did(cls, **{k: fresh(v) for k, v in given_values.items()}))


def test_the_first_invalid_field_in_field_order_is_reported() -> None:
    with pytest.raises(InvalidModelError) as info:
        SessionState(at=AT, user=ALICE, client_app_type="legacy", sign_in_risk_level="hihg",
                     device_platform="i0S")
    assert info.value.field == "SessionState.device_platform"


def test_enum_members_and_str_subclasses_become_plain_strings() -> None:
    s = SessionState(at=AT, user=User(id="u1", member_of=frozenset({RiskLevel.HIGH})),
                     client_app_type=ClientAppType.OTHER, sign_in_risk_level=Text("high"))
    assert [type(v) for v in (s.client_app_type, *s.user.member_of)] == [str, str]
    assert type(s.sign_in_risk_level) is Text  # a str subclass is kept, as before
    methods = Authentication(methods=frozenset({AuthMethod.SMS}), at=AT).methods
    assert [type(m) for m in methods] == [str]


class TestTheCommonShapeIsDecidedInOnePass:
    """The common shape never reaches the field validators (no timing involved: a
    shape that needed them would fail here)."""

    @pytest.fixture
    def field_checks_fail(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def refuse(instance: object) -> None:
            raise AssertionError(f"{type(instance).__name__} was checked field by field")

        monkeypatch.setattr(session_module, "check_fields", refuse)
        from protected_actions.model import methods
        monkeypatch.setattr(methods, "check_fields", refuse)

    @pytest.mark.usefixtures("field_checks_fail")
    def test_a_common_session(self) -> None:
        user = User(id="c6b4f8fe-4360-4b8c-920b-99b20094b121",
                    member_of=["19d04070-8df2-4e68-a91c-28c3801c727c", "g2"],
                    roles=("62e90394-69f5-4237-9190-012177145e10",), user_type="guest",
                    guest_or_external_user_type="b2bCollaborationGuest",
                    home_tenant_id="t2", display_name="Alice",
                    registered_methods={"fido2", "password"})
        auths = [Authentication(methods=["password", "microsoftAuthenticatorPush"], at=AT),
                 Authentication(methods=frozenset({"fido2"}), at=AT - timedelta(hours=1),
                                fido2_aaguid="cb69481e-8ff7-4039-93ec-0a2729a154a8")]
        device = Device(device_id="d1", is_compliant=True, is_managed=True,
                        trust_type="ServerAD", operating_system="Windows",
                        physical_ids=["[ZDID]:x"],
                        extension_attributes={"extensionAttribute1": "SAW"})
        session = SessionState(
            at=AT, user=user, authentications=auths, device_platform="windows",
            device=device, ip_address="203.0.113.7", country="NL",
            client_app_type="mobileAppsAndDesktopClients", sign_in_risk_level="low",
            user_risk_level="none", insider_risk_level="minor",
            authentication_flow="deviceCodeFlow", application_id="app",
            accepted_terms_of_use=["tou"], password_changed_at=AT - timedelta(days=3),
            is_approved_client_app=True)
        assert attrs.evolve(session) == session

    def test_another_case_is_checked_field_by_field(self,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
        called: list[str] = []
        original = session_module.check_fields
        monkeypatch.setattr(session_module, "check_fields",
                            lambda i: called.append(type(i).__name__) or original(i))
        assert SessionState(at=AT, user=ALICE, client_app_type="Browser") \
            .client_app_type == "Browser"
        assert called == ["SessionState"]


# -- the one-pass predicates are sound ------------------------------------------------


def test_printable_text_has_no_whitespace_but_the_space() -> None:
    """``plain_id`` relies on it: a printable character that is whitespace is the
    ASCII space, so a printable string not starting or ending with one is not
    padded."""
    odd = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()]
    assert odd == [" "]


@given(st.text(st.characters(codec=None), max_size=6) | st.sampled_from(IDS))
def test_a_plain_id_is_an_id_for_the_models_and_the_loader(value: Any) -> None:
    if plain_id(value):
        assert text_problem(value) is None
        assert token_problem(value) is None
    if plain_ids(frozenset({value}) if isinstance(value, str) else value):
        assert text_problem(value) is None
    if isinstance(value, str) and type(value) is str and text_problem(value) is None:
        assert plain_id(value)  # and it is no stricter than the validator for a str


@pytest.mark.parametrize("value", TIMES)
def test_a_plain_aware_datetime_is_aware(value: Any) -> None:
    if plain_aware_datetime(value):
        assert value.utcoffset() is not None
