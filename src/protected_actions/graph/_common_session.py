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

The models' validators already require a string or a bool wherever the loader
does; what the loader checks beyond them, the direct path checks too: a JSON array
where the loader wants one (not a set, a tuple or a string), list items without
surrounding whitespace or control characters (``physicalIds``), ``null`` read as
the default, and the raw forms a user keeps for a lossless round trip
(``memberOf`` not in sorted order).
"""

from __future__ import annotations

from itertools import islice
from operator import lt
from typing import Any

import attrs

from protected_actions.model.frozen import EMPTY, FrozenDict
from protected_actions.model.methods import Authentication
from protected_actions.model.session import Device, SessionState, User
from protected_actions.model.vocabulary import plain_id

from ._codecs import MISSING, Flag, Nested, NestedTuple, Scalar, Strings, StringSet, Text
from ._flows import AuthenticationFlow
from ._schema import Schema
from ._schemas import AUTHENTICATION, DEVICE, SESSION, USER
from ._special import Time, parse_time

__all__ = ["common_session"]


class _UncommonError(Exception):
    """The document is not of the common shape (the general loader reads it)."""


def _plain(schema: Schema) -> dict[str, str]:
    """Graph name -> attribute of the schema's text and flag properties that read
    ``null`` as the attribute's default. Their values go to the model as they are:
    the model's validators require a string (a bool) where the loader does."""
    defaults = {a.name: a.default for a in attrs.fields(schema.cls)}
    return {f.key: f.attr for f in schema.fields
            if type(f.codec) in (Text, Flag) and isinstance(f.codec, Scalar)
            and not getattr(f.codec, "token", False)
            and _null(f.codec) is not MISSING and _null(f.codec) == defaults[f.attr]}


def _null(codec: Scalar) -> Any:
    """What ``null`` reads as (``MISSING``: an error)."""
    return None if codec.optional else codec.default


def _keys(schema: Schema, *codecs: type) -> dict[str, str]:
    return {f.key: f.attr for f in schema.fields if type(f.codec) in codecs}


_SESSION_SETS = _keys(SESSION, StringSet)
_SESSION_ATTRS = {**_plain(SESSION), **_SESSION_SETS, **_keys(
    SESSION, Time, Nested, NestedTuple, AuthenticationFlow)}
"""Every session property the direct path reads; ``null`` reads as the default for
each (or as a missing required value, which the constructor rejects)."""
_DEVICE_LISTS = _keys(DEVICE, Strings)
_DEVICE_ATTRS = {**_plain(DEVICE), **_DEVICE_LISTS}
_EXTENSION_KEYS = frozenset(f"extensionAttribute{i}" for i in range(1, 16))
_USER_SETS = _keys(USER, StringSet)
_REGISTERED_METHODS = next(f.key for f in USER.fields if f.attr == "registered_methods")
_USER_ATTRS = {**_keys(USER, Text), **_USER_SETS}
_AUTHENTICATION_ATTRS = {**_plain(AUTHENTICATION), **_keys(AUTHENTICATION, StringSet, Time)}


def common_session(data: object) -> SessionState | None:
    """The session ``data`` describes when it has the common shape, else ``None``."""
    if type(data) is not dict:
        return None
    try:
        return _session(data)
    except Exception:  # uncommon or invalid: the general loader reads it
        return None


def _session(data: dict[Any, Any]) -> SessionState:
    fields = _present({_SESSION_ATTRS[key]: value for key, value in data.items()})
    fields["at"] = _time(fields["at"])
    fields["user"] = _user(fields["user"])
    if "authentications" in fields:
        fields["authentications"] = tuple(map(_authentication,
                                              _list(fields["authentications"])))
    if "device" in fields:
        fields["device"] = _device(fields["device"])
    if "authentication_flow" in fields:
        fields["authentication_flow"] = _flow(fields["authentication_flow"])
    if "password_changed_at" in fields:
        fields["password_changed_at"] = _time(fields["password_changed_at"])
    for attr in _SESSION_SETS.values():
        if attr in fields:
            _list(fields[attr])
    return SessionState(**fields)


def _user(data: object) -> User:
    # ``null`` is kept raw for the round trip: not the common shape.
    if type(data) is not dict or None in data.values():
        raise _UncommonError
    fields = {_USER_ATTRS[key]: value for key, value in data.items()}
    # As the general loader does, a list not written back as read (not sorted, with
    # repeats, or with methods in another spelling) is kept raw for the round trip.
    kept: dict[str, tuple[str, ...]] = {}
    methods = None
    for key in _USER_SETS:
        if key in data:
            raw = _list(data[key])
            for item in raw:
                if type(item) is not str:
                    raise _UncommonError
            if key == _REGISTERED_METHODS:
                methods = raw
            elif not _ascending(raw):  # sorted, without repeats: as written
                kept[key] = tuple(raw)
    user = User(**fields)
    if methods is not None and not _as_written(methods, user.registered_methods):
        kept[_REGISTERED_METHODS] = tuple(methods)
    if not kept:
        return user
    return User(**fields, unmodelled=FrozenDict(
        {key: kept[key] for key in _USER_SETS if key in kept}))


def _ascending(items: list[str]) -> bool:
    """Whether every string is less than the next."""
    return all(map(lt, items, islice(items, 1, None)))


def _as_written(raw: list[str], value: frozenset[str] | None) -> bool:
    """Whether ``raw`` is the sorted list of ``value``."""
    return value is not None and len(raw) == len(value) and _ascending(raw) \
        and value.issuperset(raw)


def _authentication(data: object) -> Authentication:
    if type(data) is not dict:
        raise _UncommonError
    fields = _present({_AUTHENTICATION_ATTRS[key]: value for key, value in data.items()})
    fields["methods"] = _list(fields["methods"])
    fields["at"] = _time(fields["at"])
    return Authentication(**fields)


def _device(data: object) -> Device:
    if type(data) is not dict:
        raise _UncommonError
    fields: dict[str, Any] = {}
    extensions: dict[str, str] = {}
    for key, value in data.items():
        attr = _DEVICE_ATTRS.get(key)
        if attr is not None:
            if value is not None:
                fields[attr] = value
        elif key in _EXTENSION_KEYS and type(value) is str:
            extensions[key] = value
        else:
            raise _UncommonError
    for attr in _DEVICE_LISTS.values():
        if attr in fields:
            for item in _list(fields[attr]):
                if not plain_id(item):  # the loader's token rule, and more
                    raise _UncommonError
    if extensions:
        fields["extension_attributes"] = FrozenDict(extensions)
    return Device(**fields)


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields without those read as ``null`` (each takes its default). The caller
    looked every property up first: an unknown one is a ``KeyError`` even when
    ``null``."""
    if None in fields.values():
        return {attr: value for attr, value in fields.items() if value is not None}
    return fields


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
