"""The load and dump entry points: tenants, policies, templates and sessions."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, TypeVar, cast

from protected_actions.errors import LoadError, LoadProblem
from protected_actions.model.policy import Policy
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant

from ._common_session import common_session
from ._converter import PolicyDocument, key_for, shared_converter
from ._errors import describe, load_error
from ._io import PathLike, is_path, read_json
from ._schemas import BUNDLE_KEYS, is_page
from ._template import template_from_policy
from .repository import load_repository

__all__ = [
    "GraphJSON",
    "dump_policy",
    "dump_session",
    "dump_template",
    "dump_tenant",
    "load_policies",
    "load_policy",
    "load_session",
    "load_tenant",
]


GraphJSON: TypeAlias = Mapping[str, Any]
"""A parsed JSON object (Microsoft Graph JSON, a tenant bundle or a session)."""

T = TypeVar("T")


def _structure(data: Any, type_: Any, source: str | None = None, *,
               strict: bool = False) -> Any:
    """Structure with the shared converter; any failure becomes a LoadError."""
    try:
        return shared_converter(strict=strict).structure(data, type_)
    except LoadError:
        raise
    except Exception as exc:
        raise load_error(exc, key_for, source=source) from exc


def _read(source: PathLike | Any) -> tuple[Any, str | None]:
    if is_path(source):
        return read_json(source), str(source)
    return source, None


# -- tenants --------------------------------------------------------------------------------


def load_tenant(source: PathLike | GraphJSON | Sequence[PathLike], *,
                allow_empty: bool = False,
                placeholders: Mapping[str, str] | None = None,
                strict: bool = False) -> Tenant:
    """Load a tenant: a bundle file or an already parsed bundle mapping, or
    a repository as it is: a folder tree of JSON files of any names (one
    ``KEY.json`` per bundle key, or policies, arrays, Graph pages, template lists,
    named locations, strengths, contexts, users, groups and role data classified by
    content), a single policy file, a Graph page or an array. A list of paths
    combines them (see :func:`~protected_actions.graph.repository.load_repository`).

    Every list may be a bare array or a Graph page ``{"value": [...]}``; a page's own
    annotations are kept as the key's sibling annotations (``KEY@odata.context``).
    Unknown keys and properties are kept (and reported by lint); a near miss of a
    known property (``grantControl``, ``includeUser``) is an error with a
    did-you-mean, and ``strict=True`` makes every unknown property an error
    (annotations such as ``@odata.context`` are still kept). A policy or named
    location without an ``id`` in a bundle takes its ``displayName`` as id; a policy
    without an ``id`` in a repository file takes one made from the file
    (``policies/ca001.json``, ``all.json[2]``).

    ``placeholders`` (repositories only) replaces template tokens such as
    ``"<EmergencyAccessAccountsGroup>"`` in every string read.

    :raises LoadError: listing every problem with its JSON path (and file and line);
        a folder or file without any policy is an error unless ``allow_empty``.
    """
    options: dict[str, Any] = {"allow_empty": allow_empty, "placeholders": placeholders,
                               "strict": strict}
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return load_repository(path, **options)
        data = read_json(path)
        if not _is_bundle(data) or placeholders:
            return load_repository(path, **options)
        tenant: Tenant = _structure(data, Tenant, str(path), strict=strict)
        return tenant
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes, Mapping)) \
            and source and all(isinstance(p, (str, os.PathLike)) for p in source):
        return load_repository(source, **options)
    return cast("Tenant", _structure(source, Tenant, None, strict=strict))


def _is_bundle(data: Any) -> bool:
    """Whether a parsed file is a tenant bundle (an object with bundle keys, or
    nothing at all) rather than policies or other objects to classify."""
    if not isinstance(data, Mapping) or is_page(data):
        return False
    return not data or any(key in BUNDLE_KEYS for key in data)


def dump_tenant(tenant: Tenant, *, for_create: bool = False) -> dict[str, Any]:
    """The tenant as a bundle in the normal form; ``load_tenant(dump_tenant(t)) == t``.

    The normal form:

    - keys: the bundle keys in DESIGN §5 order, then unknown keys in input order;
      inside every Graph object, ``@odata.type`` first (always written for named
      locations, IP ranges and combination configurations, and for external tenants
      of a known ``membershipKind``), then
      the object's other annotations in input order, then its known properties in
      Graph's documented order (entra-facts property tables), each followed by its
      own annotations (``authenticationStrength@odata.context``), then unknown
      properties in input order;
    - names: known properties are written in Graph's camelCase whatever case they
      were read in; unknown properties exactly as read;
    - absent and empty: Graph treats an absent list, ``null`` and ``[]`` alike, so
      every v1.0 property is written, a list as ``[]`` and a missing object or value
      as ``null``; beta-only legacy properties (``deviceStates``,
      ``includeDevices``...) and the optional bundle fields of users are written only
      when they hold something; flags are written as one comma-separated string
      (``null`` when none); sets (``memberOf``, ``roles``...) are written sorted;
    - exactness: a value read in a form the model cannot hold (``null`` for a list,
      a flags list, an unsorted ``memberOf``, ``"isTrusted": false`` on a country
      location...) is written back as read while it still means the model's current
      value, so every property read is written back unchanged;
    - ids: a policy or named location read without an ``id`` is written with the
      ``displayName`` it was given as id;
    - strengths: ``grantControls.authenticationStrength`` is the embedded strength
      while its id is the referenced one, else ``{"id": ...}`` (an embedded strength
      for another id cannot be written and is dropped).

    ``for_create=True`` writes POST bodies: no ``id`` (but an authentication
    context keeps its chosen id), ``createdDateTime``, ``modifiedDateTime``,
    ``deletedDateTime``, no annotations other than ``@odata.type``, no PowerShell
    ``AdditionalProperties`` bag, the model's values rather than raw forms read
    earlier (``[]``, not a ``null`` read for a list), and an expanded authentication
    strength as ``{"id": ...}``. Properties kept as read (unknown ones, other session
    controls) are written as read.
    """
    return cast("dict[str, Any]", shared_converter(for_create=for_create).unstructure(tenant))


# -- policies and templates ---------------------------------------------------------------


def load_policy(source: PathLike | GraphJSON, *, strict: bool = False) -> Policy:
    """Load one ``conditionalAccessPolicy`` (or one Microsoft template) from a file or
    a parsed mapping (``strict``: as for :func:`load_tenant`).

    :raises LoadError: listing every problem with its JSON path; a list or a Graph
        page is a problem too (use :func:`load_policies`).
    """
    data, name = _read(source)
    if not isinstance(data, Mapping) or is_page(data):
        what = "a Graph page" if is_page(data) else describe(data)
        raise LoadError([LoadProblem("$", f"expected one policy object, got {what} "
                                          "(load_policies reads lists)", name)])
    policies: tuple[Policy, ...] = _structure(data, PolicyDocument, name, strict=strict)
    return policies[0]


def load_policies(source: PathLike | GraphJSON | Sequence[GraphJSON], *,
                  strict: bool = False) -> tuple[Policy, ...]:
    """Load policies from a file or parsed JSON: a single policy, a bare array, a
    Graph page ``{"value": [...]}`` or Microsoft's template list (each template
    becomes a report-only policy named after the template, with the template's id as
    its ``id`` and ``templateId``; see :func:`dump_template`).

    A page's own annotations are not kept (:func:`load_tenant` keeps them).
    ``strict``: as for :func:`load_tenant`.

    :raises LoadError: listing every problem with its JSON path.
    """
    data, name = _read(source)
    policies: tuple[Policy, ...] = _structure(data, PolicyDocument, name, strict=strict)
    return policies


def dump_policy(policy: Policy, *, for_create: bool = False) -> dict[str, Any]:
    """One policy as Graph JSON in the normal form (see :func:`dump_tenant`); every
    property read is written back. ``for_create=True`` gives a POST body."""
    return cast("dict[str, Any]", shared_converter(for_create=for_create).unstructure(policy))


def dump_template(policy: Policy) -> dict[str, Any]:
    """A policy in Microsoft's template form, ``{id, name, description, scenarios,
    details: {conditions, grantControls, sessionControls}}``: the inverse of reading
    a template with :func:`load_policies`."""
    return cast("dict[str, Any]", shared_converter().unstructure(template_from_policy(policy)))


# -- sessions -------------------------------------------------------------------------------


def load_session(source: PathLike | GraphJSON) -> SessionState:
    """Load the session JSON of DESIGN §6 from a file or a parsed mapping.

    Only ``at`` and ``user.id`` are required; times must be timezone-aware ISO 8601
    (a naive time is a problem); unknown properties are problems (a misspelt fact
    must not silently become "unknown"), except inside ``user``.

    :raises LoadError: listing every problem with its JSON path.
    """
    data, name = (source, None) if type(source) is dict else _read(source)
    session = common_session(data)  # the common shape, read directly
    if session is None:
        session = _structure(data, SessionState, name)
    return session


def dump_session(session: SessionState) -> dict[str, Any]:
    """The session JSON of a :class:`SessionState` (inverse of :func:`load_session`):
    every field that has a value, times in ISO 8601 (``Z`` for UTC), sets sorted."""
    return cast("dict[str, Any]", shared_converter().unstructure(session))
