"""load_session's direct path for the common shape against the general loader.

``load_session`` builds the common shape of the session JSON directly and leaves
everything else to the general (cattrs) loader. For every document, valid or
damaged (typos, other cases, padding, control and format characters, homoglyphs,
wrong types, odd times, unsorted lists, unknown properties), ``load_session`` must
give what the general loader gives: an equal session that dumps to the same JSON,
or a ``LoadError`` with the same problems (paths and messages, did-you-mean
included).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protected_actions import (
    AuthMethod,
    ClientAppType,
    LoadError,
    RiskLevel,
    SessionState,
    strategies,
)
from protected_actions.graph import dump_session, load_session
from protected_actions.graph._api import _structure
from protected_actions.graph._common_session import common_session

UTC = timezone.utc


class Word(str):
    """A ``str`` subclass, as a mapping built in Python may hold."""

COMMON: dict[str, Any] = {
    "at": "2026-11-29T10:00:00Z",
    "user": {"id": "c6b4f8fe-4360-4b8c-920b-99b20094b121", "userType": "member",
             "memberOf": ["19d04070-8df2-4e68-a91c-28c3801c727c", "g2"],
             "roles": ["62e90394-69f5-4237-9190-012177145e10"], "eligibleRoles": []},
    "authentications": [
        {"methods": ["microsoftAuthenticatorPush", "password"], "at": "2026-11-29T09:51:28Z"},
        {"methods": ["fido2"], "at": "2026-11-29T08:00:00Z",
         "fido2Aaguid": "cb69481e-8ff7-4039-93ec-0a2729a154a8"}],
    "devicePlatform": "windows",
    "device": {"deviceId": "d1", "isCompliant": True, "isManaged": False,
               "trustType": "AzureAD", "physicalIds": ["[ZDID]:x"],
               "extensionAttribute1": "SAW"},
    "ipAddress": "203.0.113.7", "country": "NL", "clientAppType": "browser",
    "supportsClaimsChallenge": True, "signInRiskLevel": "low", "userRiskLevel": "none",
    "insiderRiskLevel": "none", "authenticationFlow": {"transferMethod": "deviceCodeFlow"},
    "applicationId": "00000003-0000-0000-c000-000000000000",
    "acceptedTermsOfUse": ["tou"], "satisfiedCustomControls": [],
    "passwordChangedAt": "2026-11-01T00:00:00Z",
    "isApprovedClientApp": False, "hasAppProtectionPolicy": False,
}


def general(document: Any) -> object:
    """What the general loader gives."""
    return _outcome(lambda: _structure(document, SessionState))


def loaded(document: Any) -> object:
    """What ``load_session`` gives."""
    return _outcome(lambda: load_session(document))


def _outcome(load: Any) -> object:
    try:
        session = load()
    except LoadError as error:
        return ("error", [(p.path, p.message) for p in error.problems])
    return ("session", session, dump_session(session), list(dump_session(session)["user"]))


def test_the_common_shape_is_read_directly() -> None:
    """The direct path takes the common shape (else nothing would be faster)."""
    session = common_session(COMMON)
    assert session is not None
    assert loaded(COMMON) == general(COMMON)
    assert session.user.unmodelled == {}  # memberOf was sorted: nothing kept raw


def test_an_unsorted_member_of_is_kept_raw_as_the_general_loader_keeps_it() -> None:
    document = copy.deepcopy(COMMON)
    document["user"]["memberOf"] = ["g2", "19d04070-8df2-4e68-a91c-28c3801c727c", "g2"]
    document["user"]["registeredMethods"] = ["FIDO2", "password"]
    session = common_session(document)
    assert session is not None
    assert dict(session.user.unmodelled) == {
        "memberOf": ("g2", "19d04070-8df2-4e68-a91c-28c3801c727c", "g2"),
        "registeredMethods": ("FIDO2", "password")}
    assert loaded(document) == general(document)
    assert dump_session(session)["user"]["memberOf"] == document["user"]["memberOf"]


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(COMMON)
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


ADVERSARIAL = [
    # typos, other cases, unknown and misplaced properties
    ({"signInRiskLevle": "low"}, "$.signInRiskLevle"),
    ({"SignInRiskLevel": "low"}, None),
    ({"zzBeta": 1}, "$.zzBeta"),
    ({"zzBeta": None}, "$.zzBeta"),
    ({"authentications": [{"methods": ["sms"], "at": "2026-11-29T10:00:00Z", "x": None}]},
     "$.authentications[0].x"),
    ({"user": {"id": "u1", "memberof": ["g1"]}}, None),
    ({"user": {"id": "u1", "mail": "a@b"}}, None),
    ({"device": {"extensionAttribute16": "x"}}, "$.device"),
    ({"device": {"ExtensionAttribute1": "x"}}, None),
    ({"device": {"extensionAttributes": {"extensionAttribute1": "x"}}}, None),
    ({"authenticationFlow": {"TransferMethod": "deviceCodeFlow"}},
     "$.authenticationFlow.TransferMethod"),
    # padding, blanks, control and format characters, homoglyphs
    ({"signInRiskLevel": "high "}, "$.signInRiskLevel"),
    ({"clientAppType": "bro\u200bwser"}, "$.clientAppType"),
    ({"devicePlatform": "\u0456OS"}, "$.devicePlatform"),
    ({"user": {"id": "u1 "}}, "$.user.id"),
    ({"user": {"id": "u1", "memberOf": ["g1\u200b"]}}, "$.user.memberOf[0]"),
    ({"user": {"id": "u1", "memberOf": ["g1\u00a0"]}}, "$.user.memberOf[0]"),
    ({"device": {"physicalIds": ["x "]}}, "$.device.physicalIds[0]"),
    ({"device": {"physicalIds": ["x\u00a0y"]}}, None),
    ({"applicationId": "\tapp"}, "$.applicationId"),
    ({"authentications": [{"methods": ["\u0455ms"], "at": "2026-11-29T10:00:00Z"}]},
     "$.authentications[0].methods"),
    # wrong types
    ({"supportsClaimsChallenge": 1}, "$.supportsClaimsChallenge"),
    ({"ipAddress": 7}, "$.ipAddress"),
    ({"acceptedTermsOfUse": "tou"}, "$.acceptedTermsOfUse"),
    ({"user": {"id": "u1", "memberOf": [1]}}, "$.user.memberOf[0]"),
    ({"user": {"id": "u1", "userType": None}}, None),
    ({"device": []}, None),
    ({"device": {"extensionAttribute1": None}}, None),
    ({"authentications": {}}, "$.authentications"),
    # times
    ({"at": "2026-11-29T10:00:00"}, "$.at"),
    ({"at": "2026-13-29T10:00:00Z"}, "$.at"),
    ({"at": "2026-W48-7T10:00:00Z"}, "$.at"),
    ({"at": "\u0662\u0660\u0662\u0666-11-29T10:00:00Z"}, "$.at"),
    ({"at": "2026-11-29T10:00:00.1234567+01:00"}, None),
]


@pytest.mark.parametrize(("change", "path"), ADVERSARIAL, ids=[repr(c) for c, _ in ADVERSARIAL])
def test_adversarial_documents_give_what_the_general_loader_gives(change: dict[str, Any],
                                                                   path: str | None) -> None:
    document = {**COMMON, **change}
    outcome = loaded(document)
    assert outcome == general(document)
    if path is not None:
        assert outcome[0] == "error"
        assert path in [p for p, _ in outcome[1]]  # type: ignore[index]
        assert common_session(document) is None


# -- properties -------------------------------------------------------------------------

VALUES: list[Any] = [
    None, True, False, 0, 1, 1.5, "", " ", "x", " x", "x ", "x\n", "x\x00", "x\u200b", "x\u00a0",
    "\u0456OS", "iOS", "IOS", "windows", "chromeOS", "member", "MEMBER", "guest", "high",
    "HIGH", "hihg", "browser", "Browser", "other", "AzureAD", "serverad", "EntraID", "AzurAD",
    "deviceCodeFlow", "b2bCollaborationGuest", "password", "PASSWORD", "fido2", "smss", "tou",
    [], ["x"], ["x "], [""], [1], [None], ["b", "a"], ["a", "a"], ["a", "b"], ["password"],
    ["Password", "sms"], ["sms", "password"], [[]], {}, {"x": 1}, {"id": "u2"},
    {"transferMethod": "deviceCodeFlow"}, {"transferMethod": None}, {"methods": ["fido2"]},
    "2026-11-29T10:00:00Z", "2026-11-29t10:00:00z", "2026-11-29T10:00:00", "2026-11-29 10:00Z",
    "2026-11-29T11:00:00+01:00", "2026-11-29T10:00:00.5Z", "2026-02-30T10:00:00Z",
    "2026-W48-7T10:00:00Z", "\uff12026-11-29T10:00:00Z",
    # what a mapping built in Python may hold
    ("a", "b"), frozenset({"a"}), ClientAppType.BROWSER, RiskLevel.HIGH, AuthMethod.SMS,
    [AuthMethod.FIDO2], [ClientAppType.OTHER, "a"], Word("high"), [Word("g1")],
]
KEYS = ["zzBeta", "@odata.type", "additionalProperties", "extensionAttribute2",
        "extensionAttribute16", "ExtensionAttribute3", "extensionAttributes", "memberof",
        "signInRiskLevels", "isCompliant", "transferMethod", "id"]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


@st.composite
def damaged(draw: st.DrawFn) -> Any:
    """A session document (generated, then dumped), with a few damages."""
    document = dump_session(draw(strategies.sessions()))
    if draw(st.booleans()):
        document = {**document, **{k: copy.deepcopy(v) for k, v in COMMON.items()
                                   if draw(st.booleans())}}
    for _ in range(draw(st.integers(0, 3))):
        places = _places(document)
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = _parent(document, path)
        kind = draw(st.sampled_from(["replace", "rename", "delete", "add"]))
        if kind == "replace" or isinstance(parent, list):
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif kind == "rename":
            key = path[-1]
            name = draw(st.sampled_from([key.upper(), key[:1].upper() + key[1:], key + "s",
                                         key[:-1], key.lower()]))
            parent[name] = parent.pop(key)
        elif kind == "delete":
            del parent[path[-1]]
        else:
            parent[draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(VALUES)))
    return document


@given(damaged())
def test_load_session_gives_what_the_general_loader_gives(document: Any) -> None:
    """Equal sessions (and dumps), or the same problems with the same paths."""
    direct = common_session(copy.deepcopy(document))
    expected = general(copy.deepcopy(document))
    assert loaded(document) == expected
    if direct is not None:  # the direct path never accepts what the loader rejects
        assert expected[0] == "session"  # type: ignore[index]
        assert direct == expected[1]  # type: ignore[index]


@given(strategies.sessions())
def test_the_direct_path_reads_what_dump_session_writes(session: SessionState) -> None:
    document = dump_session(session)
    direct = common_session(document)
    assert direct is None or direct == session
    if session.at.utcoffset() == datetime(2026, 1, 1, tzinfo=UTC).utcoffset() and \
            session.at.microsecond == 0 and all(
                a.at.utcoffset() == session.at.utcoffset() and a.at.microsecond == 0
                for a in session.authentications) and session.password_changed_at is None:
        assert direct == session  # whole-second UTC times: read directly
