"""Codecs for particular Graph properties: permissions and role permissions, session
times and device extension attributes, the authentication strength of grant controls,
the bundle's resource actions and the kind of a combination configuration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar

import attrs

from protected_actions.model.contexts import ProtectedAction
from protected_actions.model.frozen import FrozenDict, thaw
from protected_actions.model.methods import AuthenticationStrength
from protected_actions.model.permissions import Permission
from protected_actions.model.spelling import near_miss
from protected_actions.model.vocabulary import ascii_lower

from ._codecs import (
    Codec,
    Context,
    Text,
    as_list,
    at_key,
    each,
    find,
    is_blank,
    same_json,
    text_item,
)
from ._errors import GraphValueError

__all__: list[str] = []


@attrs.frozen
class PermissionText(Codec):
    """A resource action name such as ``microsoft.directory/deletedItems/delete``."""

    def load(self, value: Any, ctx: Context) -> Any:
        return Permission(text_item(value))

    def dump(self, value: Any, ctx: Context) -> Any:
        return str(value)


@attrs.frozen
class RolePermissions(Codec):
    """``rolePermissions[].allowedResourceActions`` as one set of permissions.

    An entry with a ``condition`` (such as ``$ResourceIsSelf``) or with
    ``excludedResourceActions`` grants nothing here: the model cannot express
    either, so the converter fails closed (the raw entry is kept for the round trip).
    """

    def load(self, value: Any, ctx: Context) -> Any:
        entries = each(as_list(value, "a list of rolePermission objects"), self._entry)
        return frozenset(p for entry in entries for p in entry)

    def _entry(self, item: Any) -> tuple[Permission, ...]:
        if not isinstance(item, Mapping):
            raise GraphValueError("an object with allowedResourceActions", item)
        allowed = at_key("allowedResourceActions", lambda: each(
            as_list(find(item, "allowedResourceActions"), "a list of strings"),
            lambda a: Permission(text_item(a))))
        excluded = find(item, "excludedResourceActions")
        if find(item, "condition") is not None or excluded:
            return ()
        return tuple(allowed)

    def dump(self, value: Any, ctx: Context) -> Any:
        if not value:
            return []
        return [{"allowedResourceActions": sorted(str(p) for p in value)}]


_ISO_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<fraction>\d+))?(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?")
_UTC_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
"""The common form, ``2026-11-29T10:00:00Z``: read without taking the text apart."""
_TIME_EXPECTED = "a timezone-aware ISO 8601 time such as \"2026-11-29T10:00:00Z\""


@lru_cache(maxsize=1024)
def parse_time(text: str) -> datetime | None:
    """An aware datetime from ISO 8601 text (any fraction length, ``Z``); ``None``
    when the text is not ISO 8601 or has no offset. Recent texts are remembered: the
    requests of one second share their time, a user's requests their sign-in's."""
    if _UTC_SECONDS.fullmatch(text):
        try:
            return datetime.fromisoformat(f"{text[:19]}+00:00")
        except ValueError:
            return None
    match = _ISO_TIME.fullmatch(text)
    if match is None or match["zone"] is None:
        return None
    clock = match["time"] if match["time"].count(":") == 2 else match["time"] + ":00"
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"]
    zone = "+00:00" if zone in "Zz" else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    try:
        return datetime.fromisoformat(f"{match['date']}T{clock}.{fraction}{zone}")
    except ValueError:
        return None


@attrs.frozen
class Time(Codec):
    """A timezone-aware ISO 8601 time; a time without an offset is an error."""

    optional: bool = False

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None and self.optional:
            return None
        parsed = parse_time(value) if isinstance(value, str) else None
        if parsed is None:
            raise GraphValueError(_TIME_EXPECTED, value)
        return parsed

    def dump(self, value: Any, ctx: Context) -> Any:
        if value is None:
            return None
        text: str = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


@attrs.frozen
class ExtensionAttributes(Codec):
    """``extensionAttribute1``..``15`` of a device, written flat in the device object."""

    def load(self, value: Any, ctx: Context) -> Any:
        if not isinstance(value, Mapping):
            raise GraphValueError("an object of extension attributes", value)
        return FrozenDict({k: _attribute_text(k, v) for k, v in value.items()})

    def dump(self, value: Any, ctx: Context) -> Any:
        return dict(sorted(value.items(), key=lambda kv: int(kv[0][len("extensionAttribute"):])))


def _attribute_text(key: str, value: Any) -> str:
    return at_key(key, lambda: text_item(value))


def _annotation(key: str) -> bool:
    return "@" in key or key.startswith("#")


def carries_more_than_id(value: Any) -> bool:
    """Whether an ``authenticationStrength`` object is the expanded strength: it has
    ``allowedCombinations``. An object with ``id`` and ``displayName`` (or other
    properties) but no combinations is a reference, as several exports write it, and
    resolves by id like ``{"id": ...}``."""
    return isinstance(value, Mapping) and any(
        not _annotation(k) and ascii_lower(k) == "allowedcombinations" for k in value)


@attrs.frozen
class StrengthReference(Codec):
    """``grantControls.authenticationStrength``: ``{"id": ...}`` or the expanded
    strength. The id goes to ``authentication_strength``; the normal form writes the
    embedded strength back when it is still the one referenced (``{"id": ...}`` in
    POST bodies)."""

    needs_owner: ClassVar[bool] = True

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, Mapping):
            return at_key("id", lambda: Text(optional=True).load(find(value, "id"), ctx))
        raise GraphValueError("an authentication strength object with an id", value)

    def dump_field(self, owner: Any, attr: str, ctx: Context) -> Any:
        ident = getattr(owner, attr)
        embedded = owner.embedded_authentication_strength
        if embedded is not None and embedded.id == ident and not ctx.for_create:
            return ctx.unstructure(embedded)
        return None if ident is None else {"id": ident}

    def differs(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        if carries_more_than_id(raw) and not is_blank(raw):
            return False  # the embedded strength keeps its own raw forms
        return not same_json(self.dump_field(owner, attr, attrs.evolve(ctx, for_create=False)),
                             raw)

    def matches(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        return owner.embedded_authentication_strength is None and \
            super().matches(raw, owner, attr, ctx)


@attrs.frozen
class EmbeddedStrength(Codec):
    """The expanded strength object of ``authenticationStrength``, if it is one."""

    def load(self, value: Any, ctx: Context) -> Any:
        if carries_more_than_id(value) and not is_blank(value):
            return ctx.structure(value, AuthenticationStrength)
        return None

    def differs(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        return False


_PROTECTED_ACTION_KEYS = ("name", "authenticationContextId")


@attrs.frozen
class ResourceActions(Codec):
    """The bundle's ``resourceActions``: those with an ``authenticationContextId`` are
    the protected actions; the others are kept as raw bundle data (the whole list in
    the tenant's ``unmodelled``) and written back in place."""

    def load(self, value: Any, ctx: Context) -> Any:
        items = as_list(value, "a list of resource actions")
        found = each(items, lambda item: self._one(item, ctx), ProtectedAction)
        return tuple(action for action in found if action is not None)

    @staticmethod
    def _one(item: Any, ctx: Context) -> ProtectedAction | None:
        if not isinstance(item, Mapping):
            raise GraphValueError("a resource action object", item)
        if find(item, "authenticationContextId") is None:
            # Bundle data, unless a property is a slip for a protected action's own
            # (``authenticationContextID_``): then the protection would be lost.
            for key in item:
                near = near_miss(str(key), _PROTECTED_ACTION_KEYS)
                if near is not None and ascii_lower(str(key)) != ascii_lower(near):
                    raise GraphValueError("a known property", key, key=str(key),
                                          message=f"unknown property; did you mean {near!r}?")
            return None
        action: ProtectedAction = ctx.structure(item, ProtectedAction)
        return action

    def dump(self, value: Any, ctx: Context) -> Any:
        return [ctx.unstructure(action) for action in value]

    def stale(self, raw: Any, owner: Any, attr: str, ctx: Context) -> Any:
        current = getattr(owner, attr)
        protected = {action.permission.key for action in current}
        kept = [item for item in thaw(raw) if isinstance(item, Mapping)
                and find(item, "authenticationContextId") is None
                and ascii_lower(str(find(item, "name"))) not in protected]
        return self.dump(current, ctx) + kept


_KNOWN_KINDS = {"fido2": "fido2", "x509certificate": "x509Certificate"}
_CONFIGURATION = "CombinationConfiguration"


@attrs.frozen
class CombinationKind(Codec):
    """``@odata.type`` of a combination configuration <-> its ``kind``:
    ``#microsoft.graph.fido2CombinationConfiguration`` is ``fido2``."""

    def load(self, value: Any, ctx: Context) -> Any:
        text = text_item(value).lstrip("#")
        if ascii_lower(text).startswith("microsoft.graph."):
            text = text[len("microsoft.graph."):]
        if not ascii_lower(text).endswith(ascii_lower(_CONFIGURATION)) or \
                len(text) == len(_CONFIGURATION):
            raise GraphValueError("a #microsoft.graph.<kind>CombinationConfiguration type",
                                  value)
        kind = text[: -len(_CONFIGURATION)]
        return _KNOWN_KINDS.get(ascii_lower(kind), kind)

    def dump(self, value: Any, ctx: Context) -> Any:
        return f"#microsoft.graph.{value}{_CONFIGURATION}"
