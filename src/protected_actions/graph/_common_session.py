"""The direct path of :func:`~protected_actions.graph.load_session` for the common shape.

Most session JSON an application sends per request has one shape: properties
spelled as :func:`~protected_actions.graph.dump_session` writes them, strings,
booleans and lists of strings where the schema wants them, a user without unknown
properties, times such as ``2026-11-29T10:00:00Z``. :func:`common_session` builds
such a session with the model constructors (which check every value as always),
skipping the general loader's bookkeeping (case-insensitive names, near misses,
raw forms, error trees). Anything else, including every value the general loader
would reject, makes it answer ``None``, and the general loader reads the document
and reports its problems: the two give equal sessions, and errors come from one
place.

What the general loader checks beyond the models, the direct path checks too: JSON
types (a list, not a set; ``true``, not ``1``), ids and values without
surrounding whitespace or control characters (``physicalIds``), and the raw forms
a user keeps for a lossless round trip (``memberOf`` not in sorted order).
"""

from __future__ import annotations

from typing import Any

import attrs

from protected_actions.model.frozen import EMPTY, FrozenDict
from protected_actions.model.methods import Authentication
from protected_actions.model.session import Device, SessionState, User
from protected_actions.model.vocabulary import plain_id

from ._codecs import MISSING, Flag, Scalar, Strings, StringSet, Text
from ._schema import Schema
from ._schemas import AUTHENTICATION, DEVICE, SESSION, USER
from ._special import parse_time

__all__ = ["common_session"]


class _UncommonError(Exception):
    """The document is not of the common shape (the general loader reads it)."""


def _scalars(schema: Schema, codec: type, kind: type) -> dict[str, tuple[str, type]]:
    """Graph name -> (attribute, JSON type) of the schema's plain text or flag
    properties for which ``null`` reads as the attribute's default (so the direct
    path leaves the attribute out)."""
    defaults = {a.name: a.default for a in attrs.fields(schema.cls)}
    return {f.key: (f.attr, kind) for f in schema.fields
            if type(f.codec) is codec and isinstance(f.codec, Scalar)
            and not getattr(f.codec, "token", False)
            and _null(f.codec) is not MISSING and _null(f.codec) == defaults[f.attr]}


def _null(codec: Scalar) -> Any:
    """What ``null`` reads as (``MISSING``: an error)."""
    return None if codec.optional else codec.default


def _lists(schema: Schema, codec: type) -> dict[str, str]:
    return {f.key: f.attr for f in schema.fields if type(f.codec) is codec}


_SESSION_SCALARS = {**_scalars(SESSION, Text, str), **_scalars(SESSION, Flag, bool)}
_SESSION_SETS = _lists(SESSION, StringSet)
_DEVICE_SCALARS = {**_scalars(DEVICE, Text, str), **_scalars(DEVICE, Flag, bool)}
_DEVICE_LISTS = _lists(DEVICE, Strings)
_EXTENSION_KEYS = frozenset(f"extensionAttribute{i}" for i in range(1, 16))
_USER_TEXT = {f.key: f.attr for f in USER.fields if type(f.codec) is Text}
_USER_SETS = _lists(USER, StringSet)
_AUTHENTICATION_TEXT = _scalars(AUTHENTICATION, Text, str)


def common_session(data: object) -> SessionState | None:
    """The session ``data`` describes when it has the common shape, else ``None``."""
    if type(data) is not dict:
        return None
    try:
        return _session(data)
    except Exception:  # uncommon or invalid: the general loader reads it
        return None


def _session(data: dict[Any, Any]) -> SessionState:
    fields: dict[str, Any] = {}
    for key, value in data.items():
        scalar = _SESSION_SCALARS.get(key)
        if scalar is not None:
            if type(value) is scalar[1]:
                fields[scalar[0]] = value
            elif value is not None:
                raise _UncommonError
        elif key == "user":
            fields["user"] = _user(value)
        elif key == "at":
            fields["at"] = _time(value)
        elif key == "authentications":
            if value is not None:
                fields["authentications"] = tuple(_authentication(item)
                                                  for item in _list(value))
        elif key == "device":
            if value is not None:
                fields["device"] = _device(value)
        elif key in _SESSION_SETS:
            if value is not None:
                fields[_SESSION_SETS[key]] = _list(value)
        elif key == "authenticationFlow":
            fields["authentication_flow"] = _flow(value)
        elif key == "passwordChangedAt":
            if value is not None:
                fields["password_changed_at"] = _time(value)
        else:
            raise _UncommonError
    return SessionState(**fields)


def _user(data: object) -> User:
    if type(data) is not dict:
        raise _UncommonError
    fields: dict[str, Any] = {}
    sets: list[tuple[str, list[str]]] = []
    for key, value in data.items():
        attr = _USER_TEXT.get(key)
        if attr is not None:
            if type(value) is not str:
                raise _UncommonError
            fields[attr] = value
        else:
            attr = _USER_SETS.get(key)
            if attr is None or type(value) is not list:
                raise _UncommonError
            for item in value:
                if type(item) is not str:
                    raise _UncommonError
            fields[attr] = value
            sets.append((key, value))
    user = User(**fields)
    # As the general loader does: a list not written back as read (not sorted, or
    # with repeats or other spellings of a method) is kept raw for the round trip.
    kept = {key: tuple(value) for key, value in sets
            if value != sorted(getattr(user, _USER_SETS[key]))}
    if not kept:
        return user
    return User(**fields, unmodelled=FrozenDict(
        {key: kept[key] for key in _USER_SETS if key in kept}))


def _authentication(data: object) -> Authentication:
    if type(data) is not dict:
        raise _UncommonError
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key == "methods":
            fields["methods"] = _list(value)
        elif key == "at":
            fields["at"] = _time(value)
        else:
            scalar = _AUTHENTICATION_TEXT.get(key)
            if scalar is None or (type(value) is not str and value is not None):
                raise _UncommonError
            if value is not None:
                fields[scalar[0]] = value
    return Authentication(**fields)


def _device(data: object) -> Device:
    if type(data) is not dict:
        raise _UncommonError
    fields: dict[str, Any] = {}
    extensions: dict[str, str] = {}
    for key, value in data.items():
        scalar = _DEVICE_SCALARS.get(key)
        if scalar is not None:
            if type(value) is scalar[1]:
                fields[scalar[0]] = value
            elif value is not None:
                raise _UncommonError
        elif key in _DEVICE_LISTS:
            if value is not None:
                for item in _list(value):
                    if not plain_id(item):
                        raise _UncommonError
                fields[_DEVICE_LISTS[key]] = value
        elif key in _EXTENSION_KEYS and type(value) is str:
            extensions[key] = value
        else:
            raise _UncommonError
    if extensions:
        fields["extension_attributes"] = FrozenDict(extensions)
    return Device(**fields)


def _flow(value: object) -> str | None:
    if type(value) is dict and len(value) == 1:
        value = value.get("transferMethod", EMPTY)
    if value is None or type(value) is str:
        return value
    raise _UncommonError


def _list(value: object) -> list[Any]:
    if type(value) is not list:
        raise _UncommonError
    return value


def _time(value: object) -> Any:
    parsed = parse_time(value) if type(value) is str else None
    if parsed is None:
        raise _UncommonError
    return parsed
