"""Nothing unrecognised in tenant JSON passes silently (DESIGN §4): near misses of
known properties are load errors with a did-you-mean, other unknown properties are
kept (and written back) unless loading is strict, ids and enumeration values are
never blank, padded or holding control characters, and kept JSON nests at most 64
levels."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest

from protected_actions import AnalysisReason, LoadError, SessionState, User, evaluate, lint
from protected_actions.errors import InvalidModelError
from protected_actions.graph import dump_tenant, load_policies, load_policy, load_tenant
from protected_actions.model.frozen import FrozenDict

CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"


def _policy(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "p1", "displayName": "p1", "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeAuthenticationContextClassReferences": ["c1"]},
            "platforms": {"includePlatforms": ["all"]},
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
        "sessionControls": {"signInFrequency": None},
    }
    body.update(changes)
    return body


def _bundle() -> dict[str, Any]:
    return {
        "conditionalAccessPolicies": [_policy()],
        "authenticationContextClassReferences": [{"id": "c1", "isAvailable": True}],
        "namedLocations": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
                            "id": "l1", "displayName": "HQ", "isTrusted": True,
                            "ipRanges": [{"cidrAddress": "203.0.113.0/24"}]}],
        "authenticationStrengthPolicies": [{"id": "s1", "displayName": "Keys",
                                            "allowedCombinations": ["fido2"]}],
        "resourceActions": [{"name": CA_CREATE, "authenticationContextId": "c1"}],
        "groups": [{"id": "g1", "isAssignableToRole": False}],
        "users": [{"id": "u1", "memberOf": ["g1"]}],
    }


def _set(bundle: dict[str, Any], path: tuple[Any, ...], key: str, value: Any) -> None:
    target: Any = bundle
    for step in path:
        target = target[step]
    target[key] = value


def _problems(source: Any, loader: Any = load_tenant, **kwargs: Any) -> list[str]:
    with pytest.raises(LoadError) as info:
        loader(source, **kwargs)
    return [str(p) for p in info.value.problems]


P0 = ("conditionalAccessPolicies", 0)

NEAR_MISSES = [
    # (where, misspelt key, value, JSON path, the known name)
    ((), "conditionalAccessPolicie", [], "$.conditionalAccessPolicie",
     "conditionalAccessPolicies"),
    (P0, "grantControl", {"builtInControls": ["block"]},
     "$.conditionalAccessPolicies[0].grantControl", "grantControls"),
    (P0, "sesionControls", {}, "$.conditionalAccessPolicies[0].sesionControls",
     "sessionControls"),
    ((*P0, "conditions", "users"), "includeUser", ["u1"],
     "$.conditionalAccessPolicies[0].conditions.users.includeUser", "includeUsers"),
    ((*P0, "conditions", "users"), "includeFutureUsers", ["All"],
     "$.conditionalAccessPolicies[0].conditions.users.includeFutureUsers", "includeUsers"),
    ((*P0, "conditions"), "clientAppType", ["other"],
     "$.conditionalAccessPolicies[0].conditions.clientAppType", "clientAppTypes"),
    ((*P0, "conditions", "platforms"), "excludePlatform", ["iOS"],
     "$.conditionalAccessPolicies[0].conditions.platforms.excludePlatform",
     "excludePlatforms"),
    ((*P0, "grantControls"), "authenticationStrenght", {"id": "s1"},
     "$.conditionalAccessPolicies[0].grantControls.authenticationStrenght",
     "authenticationStrength"),
    # a homoglyph: a Cyrillic capital O (U+041E) in termsOfUse
    ((*P0, "grantControls"), "terms\u041efUse", ["tou"],
     "$.conditionalAccessPolicies[0].grantControls['terms\u041efUse']", "termsOfUse"),
    ((*P0, "sessionControls"), "signInFrequncy", {"isEnabled": True},
     "$.conditionalAccessPolicies[0].sessionControls.signInFrequncy", "signInFrequency"),
    (("namedLocations", 0), "isTrsted", False, "$.namedLocations[0].isTrsted", "isTrusted"),
    (("authenticationStrengthPolicies", 0), "allowedCombination", ["sms"],
     "$.authenticationStrengthPolicies[0].allowedCombination", "allowedCombinations"),
    (("authenticationContextClassReferences", 0), "isAvailble", False,
     "$.authenticationContextClassReferences[0].isAvailble", "isAvailable"),
    (("groups", 0), "isAssignableToRol", True, "$.groups[0].isAssignableToRol",
     "isAssignableToRole"),
    (("users", 0), "memberOff", ["g2"], "$.users[0].memberOff", "memberOf"),
]


@pytest.mark.parametrize(("where", "key", "value", "path", "known"), NEAR_MISSES,
                         ids=[case[1] for case in NEAR_MISSES])
def test_a_near_miss_of_a_known_property_is_a_load_error(
        where: tuple[Any, ...], key: str, value: Any, path: str, known: str) -> None:
    """``grantControl``, ``includeUser``, ``authenticationStrenght``... are typos, not
    properties to keep: the error names the path and the property meant."""
    bundle = _bundle()
    _set(bundle, where, key, value)
    assert _problems(bundle) == [f"{path}: unknown property; did you mean {known!r}?"]


def test_a_resource_action_with_a_misspelt_context_id_is_a_load_error() -> None:
    """Without the fix the entry lost its ``authenticationContextId`` and became plain
    bundle data: the permission silently was not protected."""
    bundle = _bundle()
    bundle["resourceActions"] = [{"name": CA_CREATE, "authenticationContextID_": "c1"}]
    assert _problems(bundle) == [
        "$.resourceActions[0].authenticationContextID_: unknown property; did you mean "
        "'authenticationContextId'?"]


def test_a_policy_near_miss_is_an_error_in_load_policy_and_load_policies() -> None:
    body = _policy(grantControl={"builtInControls": ["block"]})
    expected = ["$.grantControl: unknown property; did you mean 'grantControls'?"]
    assert _problems(body, load_policy) == expected
    assert _problems([body], load_policies) == [
        "$[0].grantControl: unknown property; did you mean 'grantControls'?"]


def test_other_unknown_properties_are_kept_and_written_back() -> None:
    """A property the library does not know (a beta or future one) is not an error:
    it is kept, and a round trip writes it back."""
    bundle = _bundle()
    _set(bundle, (*P0, "conditions"), "times", {"included": {"timezone": "UTC"}})
    _set(bundle, (*P0, "grantControls"), "verifiedIdRequirement", {"x": 1})
    _set(bundle, ("resourceActions", 0), "isPrivileged", True)
    bundle["zzFutureKey"] = [1, 2]
    written = dump_tenant(load_tenant(bundle))
    policy = written["conditionalAccessPolicies"][0]
    assert policy["conditions"]["times"] == {"included": {"timezone": "UTC"}}
    assert policy["grantControls"]["verifiedIdRequirement"] == {"x": 1}
    assert written["resourceActions"][0]["isPrivileged"] is True
    assert written["zzFutureKey"] == [1, 2]


def test_strict_makes_every_unknown_property_an_error() -> None:
    """``strict=True``: no unknown property is kept, in any loader; annotations and
    documented Graph properties still load."""
    bundle = _bundle()
    _set(bundle, (*P0, "conditions"), "times", None)
    _set(bundle, ("namedLocations", 0), "note", "x")
    _set(bundle, ("resourceActions", 0), "isPrivileged", True)
    bundle["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata"
    assert _problems(bundle, strict=True) == [
        "$.conditionalAccessPolicies[0].conditions.times: unknown property",
        "$.namedLocations[0].note: unknown property"]
    load_tenant(bundle)  # not strict: kept
    body = _policy(conditions={"users": {"includeUsers": ["All"]}, "times": None})
    assert _problems(body, load_policy, strict=True) == ["$.conditions.times: unknown property"]
    assert _problems({"value": [body]}, load_policies, strict=True) == [
        "$.value[0].conditions.times: unknown property"]


@pytest.mark.parametrize(("value", "problem"), [
    ("c1 ", "surrounding whitespace"),
    (" c1", "surrounding whitespace"),
    ("", "blank"),
    ("  ", "blank"),
    ("c1\x00", "a control or format character (U+0000)"),
    ("\u200bc1", "a control or format character (U+200B)"),
])
def test_a_padded_or_garbled_context_reference_is_a_load_error(value: str, problem: str
                                                                ) -> None:
    """``"c1 "`` is not ``"c1"``: read as written it would target no context."""
    bundle = _bundle()
    bundle["conditionalAccessPolicies"][0]["conditions"]["applications"][
        "includeAuthenticationContextClassReferences"] = ["c2", value]
    [message] = _problems(bundle)
    assert message.startswith("$.conditionalAccessPolicies[0].conditions.applications."
                              "includeAuthenticationContextClassReferences[1]: invalid id "
                              "or value ")
    assert message.endswith(problem)


@pytest.mark.parametrize(("where", "key", "value", "path"), [
    ((*P0, "conditions"), "clientAppTypes", ["browser "],
     "$.conditionalAccessPolicies[0].conditions.clientAppTypes[0]"),
    ((*P0, "conditions", "platforms"), "includePlatforms", ["iOS\x00"],
     "$.conditionalAccessPolicies[0].conditions.platforms.includePlatforms[0]"),
    ((*P0, "grantControls"), "builtInControls", [" mfa"],
     "$.conditionalAccessPolicies[0].grantControls.builtInControls[0]"),
    (P0, "state", "enabled ", "$.conditionalAccessPolicies[0].state"),
    (("resourceActions", 0), "authenticationContextId", "c1 ",
     "$.resourceActions[0].authenticationContextId"),
    (("authenticationContextClassReferences", 0), "id", "c1\t",
     "$.authenticationContextClassReferences[0].id"),
    (("users", 0), "id", "", "$.users[0].id"),
    (("users", 0), "memberOf", ["g1 "], "$.users[0].memberOf[0]"),
    (("authenticationStrengthPolicies", 0), "allowedCombinations", ["fido2,\x00"],
     "$.authenticationStrengthPolicies[0].allowedCombinations[0]"),
])
def test_blank_padded_and_control_values_in_ids_and_enums_are_load_errors(
        where: tuple[Any, ...], key: str, value: Any, path: str) -> None:
    bundle = _bundle()
    _set(bundle, where, key, value)
    [message] = _problems(bundle)
    assert message.startswith(f"{path}: invalid id or value ")


@pytest.mark.parametrize("value", [[], "x", 7])
def test_conditions_of_the_wrong_type_is_a_load_error(value: Any) -> None:
    """``conditions: []`` used to read as "no conditions" (a policy for nobody)."""
    bundle = _bundle()
    bundle["conditionalAccessPolicies"][0]["conditions"] = value
    [message] = _problems(bundle)
    assert message.startswith("$.conditionalAccessPolicies[0].conditions: expected an object")


@pytest.mark.parametrize("value", [[], "mfa", 1, True, ["mfa"]])
def test_grant_controls_of_the_wrong_type_are_kept_for_the_evaluator(value: Any) -> None:
    """Kept (and written back) so that the evaluator can decide them fail-closed
    (tests/engine/test_unrecognised.py), never read as "no requirement" silently."""
    bundle = _bundle()
    bundle["conditionalAccessPolicies"][0]["grantControls"] = value
    tenant = load_tenant(bundle)
    assert tenant.policies[0].grant_controls is None
    assert dump_tenant(tenant)["conditionalAccessPolicies"][0]["grantControls"] == value
    assert load_tenant(dump_tenant(tenant)) == tenant


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"inner": value}
    return value


def test_unknown_json_nested_too_deeply_is_a_load_error() -> None:
    """400 levels loaded before and then made evaluate and lint raise RecursionError;
    kept JSON may nest 64 levels."""
    bundle = _bundle()
    _set(bundle, (*P0, "conditions"), "zzFuture", _nested(400))
    assert _problems(bundle) == [
        "$.conditionalAccessPolicies[0].conditions.zzFuture: nested deeper than 64 levels"]
    bundle = _bundle()
    bundle["zzFuture"] = [_nested(70)]
    assert _problems(bundle) == ["$.zzFuture: nested deeper than 64 levels"]
    ok = _bundle()
    _set(ok, (*P0, "conditions"), "zzFuture", _nested(63))
    tenant = load_tenant(ok)
    assert load_tenant(dump_tenant(tenant)) == tenant


def test_writing_back_json_built_too_deep_by_hand_is_a_model_error() -> None:
    """A model built by hand (not loaded) holding kept JSON 3,000 levels deep made
    ``dump_tenant`` exhaust the stack; it is an ``InvalidModelError`` now."""
    tenant = load_tenant(_bundle())
    policy = attrs.evolve(tenant.policies[0],
                          unmodelled=FrozenDict({"zzFuture": freeze_deep(3000)}))
    with pytest.raises(InvalidModelError, match="nested at most 64 levels"):
        dump_tenant(attrs.evolve(tenant, policies=(policy,)))


def freeze_deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = FrozenDict({"inner": value})
    return value


def test_annotations_and_documented_properties_are_not_near_misses() -> None:
    """``@odata.context``, ``deletedDateTime``, Graph's resource action properties and
    session controls the evaluator does not read load without any problem."""
    bundle = copy.deepcopy(_bundle())
    _set(bundle, P0, "deletedDateTime", None)
    _set(bundle, P0, "grantControls@odata.type", "#microsoft.graph.x")
    _set(bundle, (*P0, "sessionControls"), "persistentBrowser", {"isEnabled": True})
    _set(bundle, ("resourceActions", 0), "actionVerb", "POST")
    load_tenant(bundle, strict=True)


@pytest.mark.parametrize("value", ["p1 ", "", "p\x001"])
def test_a_padded_or_blank_policy_id_is_a_load_error(value: str) -> None:
    bundle = _bundle()
    bundle["conditionalAccessPolicies"][0]["id"] = value
    [message] = _problems(bundle)
    assert message.startswith("$.conditionalAccessPolicies[0].id: invalid id or value ")


# Letters whose Unicode case folding is an ASCII letter: LATIN SMALL LETTER LONG S
# (U+017F) folds to "s", KELVIN SIGN (U+212A) to "k". Graph's names and values are
# ASCII, so a name holding one is another name, never the ASCII one it folds to.
LONG_S, KELVIN = "\u017f", "\u212a"


@pytest.mark.parametrize("key", [f"excludeGroup{LONG_S}", f"includeU{LONG_S}ers"])
def test_a_key_that_only_unicode_case_folding_makes_known_is_a_near_miss(key: str) -> None:
    """``excludeGroup`` + long s is not ``excludeGroups``: read as it, the exclusion would
    hold where Graph rejects the property; the load error names the key meant."""
    bundle = _bundle()
    users = bundle["conditionalAccessPolicies"][0]["conditions"]["users"]
    users[key] = ["g1"]
    meant = key.replace(LONG_S, "s")
    assert _problems(bundle) == [
        f"$.conditionalAccessPolicies[0].conditions.users[{key!r}]: unknown property; "
        f"did you mean {meant!r}?"]


def test_a_value_that_only_unicode_case_folding_makes_known_is_reported_and_fails_closed(
        ) -> None:
    """``brow`` + long s + ``er`` in ``clientAppTypes`` matched no session and was not reported: the
    policy silently did not apply. It is an unknown value (PA182, with the value
    meant), and the condition is undetermined: the policy applies, the decision is
    incomplete."""
    bundle = _bundle()
    conditions = bundle["conditionalAccessPolicies"][0]["conditions"]
    conditions["clientAppTypes"] = [f"brow{LONG_S}er"]
    tenant = load_tenant(bundle)
    findings = [f for f in lint(tenant) if f.code == "PA182"]
    assert len(findings) == 1 and "'browser'" in findings[0].message
    session = SessionState(at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                           user=User(id="u1"))
    decision = evaluate(tenant, session, CA_CREATE, check_authorization=False)
    assert decision.outcome.value != "allow" and not decision.complete
    (result,) = decision.policies
    assert result.applies and AnalysisReason.NOT_ENOUGH_INFORMATION.value in \
        result.analysis_reasons


def test_a_grant_control_that_only_unicode_case_folding_makes_known_is_reported() -> None:
    """``bloc\u212a`` is not ``block``: reported (PA182) and, unknown to the
    evaluator, a requirement no prompt can satisfy."""
    bundle = _bundle()
    bundle["conditionalAccessPolicies"][0]["grantControls"]["builtInControls"] = [
        f"bloc{KELVIN}"]
    findings = [f for f in lint(load_tenant(bundle)) if f.code == "PA182"]
    assert len(findings) == 1 and "'block'" in findings[0].message
