"""The finite condition classes a set of policies can tell apart.

For the policies that matter to a question (those targeting one auth context), each
session dimension gets the values those policies name plus one value none of them
names: each named location class and an address outside them all, each platform
named and one other, each client app type, each risk level, each authentication
flow and none, and devices (unregistered, registered, compliant, hybrid joined, and
for each device filter devices that match it and do not, built from the rule's
literals). Values no policy tells apart are merged, so the space is exact for the
model and as small as the policies allow.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from protected_actions.engine.compile import CompiledPolicy, CompiledTenant
from protected_actions.engine.conditions import (
    Request,
    UserFacts,
    check_authentication_flow,
    check_client_app,
    check_devices,
    check_insider_risk,
    check_location,
    check_platform,
    check_sign_in_risk,
    check_user_risk,
)
from protected_actions.model.locations import UNKNOWN_COUNTRY, CountryNamedLocation
from protected_actions.model.session import Device, SessionState

__all__ = ["DIMENSIONS", "Dimension", "Value", "build_space"]

Check = Callable[[CompiledPolicy, Request], tuple[bool | None, str]]
_UNUSED_COUNTRIES = ("AQ", "BV", "HM", "UM", "TF")
_OTHER_PLATFORM = "chromeOS"  # not a Graph platform value: matches only "all" (§6.4)
_MODERN_CLIENTS = ("browser", "mobileAppsAndDesktopClients")


@attrs.frozen
class Value:
    """One class of one dimension: the session fields it sets, and a label."""

    label: str
    fields: Mapping[str, Any] = attrs.field(eq=False)
    assumption: str | None = None


@attrs.frozen
class Dimension:
    """A session dimension: its name, its values, and the condition check reading it."""

    name: str
    values: tuple[Value, ...]
    check: Check | None
    grant: bool = False  # whether grant evaluation reads it too


def _probe(index: CompiledTenant, base: SessionState, user: UserFacts, context: str,
           fields: Mapping[str, Any]) -> Request:
    return Request(index=index, session=attrs.evolve(base, **fields), user=user,
                   target_kind="context", target=context)


def _platforms(policies: Sequence[CompiledPolicy]) -> tuple[Value, ...]:
    named = sorted({p for cp in policies for p in (*(cp.include_platforms or ()),
                                                   *cp.exclude_platforms)})
    if not named:
        return (Value("platform windows", {"device_platform": "windows"}),)
    canonical = {"ios": "iOS", "macos": "macOS", "windowsphone": "windowsPhone"}
    values = [Value(f"platform {canonical.get(p, p)}",
                    {"device_platform": canonical.get(p, p)},
                    f"signs in from {canonical.get(p, p)}") for p in named]
    values.append(Value("another platform", {"device_platform": _OTHER_PLATFORM},
                        "signs in from a platform no policy names"))
    return tuple(values)


def _clients(policies: Sequence[CompiledPolicy], *, modern_only: bool) -> tuple[Value, ...]:
    named = {t for cp in policies for t in (cp.client_app_types or ())}
    canonical = {"browser": "browser", "mobileappsanddesktopclients":
                 "mobileAppsAndDesktopClients", "exchangeactivesync": "exchangeActiveSync",
                 "eassupported": "easSupported", "other": "other"}
    kinds = list(_MODERN_CLIENTS)
    if not modern_only:
        kinds += sorted(canonical[n] for n in named if n in canonical
                        and canonical[n] not in _MODERN_CLIENTS)
    return tuple(Value(f"client {k}", {"client_app_type": k},
                       None if k == "browser" else f"uses a {k} client") for k in kinds)


def _risk(policies: Sequence[CompiledPolicy], attr: str, field: str,
          label: str) -> tuple[Value, ...]:
    named = sorted({lvl for cp in policies for lvl in (getattr(cp, attr) or ())} - {"none"})
    return (Value(f"{label} none", {field: "none"}),
            *(Value(f"{label} {lvl}", {field: lvl}, f"{label} is {lvl}") for lvl in named))


def _flows(policies: Sequence[CompiledPolicy]) -> tuple[Value, ...]:
    named = sorted({f for cp in policies for f in (cp.authentication_flows or ())})
    canonical = {"devicecodeflow": "deviceCodeFlow",
                 "authenticationtransfer": "authenticationTransfer"}
    return (Value("no transfer flow", {"authentication_flow": None}),
            *(Value(f"flow {canonical.get(f, f)}", {"authentication_flow": canonical.get(f, f)},
                    f"signs in with {canonical.get(f, f)}") for f in named))


def _countries(index: CompiledTenant, method: str) -> list[str]:
    codes: set[str] = set()
    for loc in index.tenant.named_locations:
        if isinstance(loc, CountryNamedLocation) and loc.country_lookup_method == method:
            codes |= {c.upper() for c in loc.countries_and_regions}
    spare = next(c for c in _UNUSED_COUNTRIES if c not in codes)
    return [*sorted(codes), UNKNOWN_COUNTRY, spare] if codes else [spare]


def _locations(index: CompiledTenant, policies: Sequence[CompiledPolicy]) -> tuple[Value, ...]:
    if not any(cp.include_locations or cp.exclude_locations for cp in policies):
        return (Value("any location", {"ip_address": "198.51.100.1", "country": "AQ",
                                      "gps_country": "AQ"}),)
    ips = index.locations.representative_ips()
    values: dict[frozenset[str], Value] = {}
    for (ip, _), country, gps in itertools.product(
            ips, _countries(index, "clientIpAddress"), _countries(index, "authenticatorAppGps")):
        facts = index.locations.locate(ip_address=ip, country=country, gps_country=gps)
        if facts.inside in values:
            continue
        names = sorted(_location_name(index, i) for i in facts.inside)
        label = "in " + ", ".join(names) if names else "outside every named location"
        where = "from " + ", ".join(names) if names else label
        values[facts.inside] = Value(label, {"ip_address": ip, "country": country,
                                             "gps_country": gps},
                                     f"signs in {where} (IP {ip}, country {country})")
    return tuple(values.values())


def _location_name(index: CompiledTenant, location_id: str) -> str:
    loc = index.locations.get(location_id)
    return repr(loc.display_name) if loc is not None else location_id


_BASE_DEVICES: tuple[tuple[str, Device | None, str | None], ...] = (
    ("unregistered device", None, None),
    ("registered device", Device(device_id="analysis-registered", trust_type="Workplace",
                                 is_compliant=False), "uses a registered device"),
    ("compliant device", Device(device_id="analysis-compliant", trust_type="AzureAD",
                                is_compliant=True, is_managed=True),
     "needs a compliant device"),
    ("hybrid joined device", Device(device_id="analysis-hybrid", trust_type="ServerAD",
                                    is_compliant=False),
     "needs a hybrid Entra joined device"),
    ("compliant hybrid joined device", Device(device_id="analysis-hybrid-compliant",
                                              trust_type="ServerAD", is_compliant=True,
                                              is_managed=True),
     "needs a compliant, hybrid Entra joined device"),
)


def _rule_variants(literals: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Property assignments for one rule: for each of its properties, each literal,
    a value matching none of them, or nothing."""
    choices = []
    for prop in sorted(literals):
        options: list[Any] = sorted((v for v in literals[prop] if v is not None), key=repr)
        options += ["zz-analysis-none", None]
        choices.append([(prop, v) for v in options])
    combos = itertools.islice(itertools.product(*choices), 512)
    return [{k: v for k, v in combo if v is not None} for combo in combos]


def _filter_rules(policies: Sequence[CompiledPolicy]) -> list[Mapping[str, Sequence[Any]]]:
    seen: dict[str, Mapping[str, Sequence[Any]]] = {}
    for cp in policies:
        flt = cp.device_filter
        if flt is not None and flt.parsed is not None:
            seen.setdefault(str(flt.parsed), flt.parsed.literals())
    return [seen[k] for k in sorted(seen)]


_DEVICE_FIELDS = {
    "deviceId": "device_id", "displayName": "display_name",
    "deviceOwnership": "device_ownership", "enrollmentProfileName": "enrollment_profile_name",
    "manufacturer": "manufacturer", "mdmAppId": "mdm_app_id", "model": "model",
    "operatingSystem": "operating_system", "operatingSystemVersion": "operating_system_version",
    "profileType": "profile_type", "trustType": "trust_type", "isCompliant": "is_compliant",
}


def _device_with(base: Device, props: Mapping[str, Any]) -> Device | None:
    changes: dict[str, Any] = {}
    extensions = dict(base.extension_attributes)
    for prop, value in props.items():
        if prop in ("trustType", "isCompliant"):
            continue  # the base state fixes these (they decide grants too)
        if prop in ("physicalIds", "systemLabels"):
            changes["physical_ids" if prop == "physicalIds" else "system_labels"] = (
                (value,) if isinstance(value, str) else ())
        elif prop.startswith("extensionAttribute") and isinstance(value, str):
            extensions[prop] = value
        elif prop in _DEVICE_FIELDS and isinstance(value, str):
            changes[_DEVICE_FIELDS[prop]] = value
    try:
        return attrs.evolve(base, extension_attributes=extensions, **changes)
    except ValueError:
        return None


def _devices(policies: Sequence[CompiledPolicy], probe: Callable[[Mapping[str, Any]], Request]
             ) -> tuple[Value, ...]:
    """Device classes: for each base state, devices built rule by rule from the
    filters' literals, keeping one device per distinct vector of filter verdicts."""
    rules = _filter_rules(policies)
    filtered = [cp for cp in policies if cp.device_filter is not None]
    seen: dict[tuple[object, ...], Value] = {}
    for label, base, assumption in _BASE_DEVICES:
        found: dict[tuple[object, ...], dict[str, Any]] = {}
        frontier: list[dict[str, Any]] = [{}]
        for literals in rules if base is not None else []:
            grown = [{**props, **more} for props in frontier
                     for more in _rule_variants(literals)]
            frontier = list(_distinct(grown, base, label, filtered, probe).values())
        for props in frontier:
            found.update(_distinct([props], base, label, filtered, probe))
        for signature, props in found.items():
            if signature in seen:
                continue
            device = base if base is None or not props else _device_with(base, props)
            detail = "" if not props else " with " + ", ".join(
                f"{k}={v!r}" for k, v in sorted(props.items()))
            seen[signature] = Value(label + detail, {"device": device},
                                    None if assumption is None and not props
                                    else f"{assumption or 'uses a ' + label}{detail}")
    return tuple(seen.values())


def _distinct(variants: Sequence[dict[str, Any]], base: Device | None, label: str,
              filtered: Sequence[CompiledPolicy],
              probe: Callable[[Mapping[str, Any]], Request]
              ) -> dict[tuple[object, ...], dict[str, Any]]:
    """One property assignment per distinct vector of filter verdicts."""
    out: dict[tuple[object, ...], dict[str, Any]] = {}
    for props in variants:
        device = base if base is None or not props else _device_with(base, props)
        if base is not None and device is None:
            continue
        request = probe({"device": device})
        signature = (label, *(check_devices(cp, request)[0] for cp in filtered))
        out.setdefault(signature, props)
    return out


def _app_evidence(policies: Sequence[CompiledPolicy]) -> tuple[Value, ...]:
    kinds = {c.control.kind.value for cp in policies for c in cp.controls}
    if not kinds & {"approvedApplication", "compliantApplication"}:
        return (Value("no app evidence", {}),)
    return (Value("no approved app", {"is_approved_client_app": False,
                                      "has_app_protection_policy": False}),
            Value("approved app with app protection",
                  {"is_approved_client_app": True, "has_app_protection_policy": True},
                  "uses an approved client app with an app protection policy"))


DIMENSIONS = ("device", "app", "client", "flow", "platform", "location", "signInRisk",
              "userRisk", "insiderRisk")
"""The dimensions, in search order: those grants read come first."""


def build_space(index: CompiledTenant, policies: Sequence[CompiledPolicy],
                base: SessionState, user: UserFacts, context: str, *,
                modern_clients_only: bool = False) -> tuple[Dimension, ...]:
    """The dimensions for ``policies``, each value merged with any other value that
    every policy treats alike (same condition verdict)."""
    def probe(fields: Mapping[str, Any]) -> Request:
        return _probe(index, base, user, context, fields)

    raw: Iterable[tuple[str, tuple[Value, ...], Check | None, bool]] = (
        ("device", _devices(policies, probe), check_devices, True),
        ("app", _app_evidence(policies), None, True),
        ("client", _clients(policies, modern_only=modern_clients_only), check_client_app, True),
        ("flow", _flows(policies), check_authentication_flow, True),
        ("platform", _platforms(policies), check_platform, False),
        ("location", _locations(index, policies), check_location, False),
        ("signInRisk", _risk(policies, "sign_in_risk", "sign_in_risk_level", "sign-in risk"),
         check_sign_in_risk, False),
        ("userRisk", _risk(policies, "user_risk", "user_risk_level", "user risk"),
         check_user_risk, False),
        ("insiderRisk", _risk(policies, "insider_risk", "insider_risk_level", "insider risk"),
         check_insider_risk, False),
    )
    return tuple(Dimension(name, values if grant else _merge(values, check, policies, probe),
                           check, grant)
                 for name, values, check, grant in raw)


def _merge(values: tuple[Value, ...], check: Check | None, policies: Sequence[CompiledPolicy],
           probe: Callable[[Mapping[str, Any]], Request]) -> tuple[Value, ...]:
    if check is None:
        return values
    kept: dict[tuple[bool | None, ...], Value] = {}
    for value in values:
        request = probe(value.fields)
        kept.setdefault(tuple(check(cp, request)[0] for cp in policies), value)
    return tuple(kept.values())
