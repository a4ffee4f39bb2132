"""The shape of a schema: which Graph property feeds which model attribute.

A :class:`Schema` lists a model class's :class:`Field`\\ s in Graph's documented
order (entra-facts §2-§5 property tables), plus the Graph properties it knows by
name but keeps as data (``documented``), the ``@odata.type`` rule of a derived type
(:class:`TagRule`) and the read-only properties a POST body leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import attrs

from protected_actions.model.vocabulary import ascii_lower

from ._codecs import Codec, always

__all__: list[str] = []

Prepare = Callable[[dict[str, Any], dict[str, Any]], None]
"""Adjusts (known properties, other properties) before structuring."""

READ_ONLY = frozenset({"id", "createdDateTime", "modifiedDateTime", "deletedDateTime"})
"""Properties Graph sets itself: never part of a POST body."""

TYPE_KEY = "@odata.type"


def normalize_type(tag: str) -> str:
    """``"#microsoft.graph.ipNamedLocation"`` -> ``"ipnamedlocation"`` (for comparing)."""
    name = ascii_lower(tag.lstrip("#"))
    return name.removeprefix("microsoft.graph.")


@attrs.frozen
class Field:
    """One Graph property and the model attribute it feeds.

    ``when`` says whether the normal form writes it (given the value and the
    owner); ``written=False`` marks a second attribute read from a property that
    another field writes; ``flatten`` writes a mapping's items into the owner.
    """

    attr: str
    key: str
    codec: Codec
    when: Callable[[Any, Any], bool] = always
    written: bool = True
    flatten: bool = False


@attrs.frozen
class TagRule:
    """How ``@odata.type`` relates to a model: ``canonical`` is the tag the normal
    form writes (``None``: none known), ``parse`` what a tag says (``None``: a tag
    this rule does not know) and ``of`` the same for a model instance."""

    canonical: Callable[[Any], str | None]
    parse: Callable[[str], Any]
    of: Callable[[Any], Any]


@attrs.frozen
class Schema:
    """How one model class maps to a Graph JSON object."""

    cls: type
    fields: tuple[Field, ...]
    extras: str | None = "unmodelled"
    tag: TagRule | None = None
    read_only: frozenset[str] = frozenset()
    documented: tuple[str, ...] = ()
    prepare: Prepare | None = None
    order: tuple[str, ...] | None = None

    @cached_property
    def field_keys(self) -> frozenset[str]:
        """Keys that feed a model attribute (and ``@odata.type`` of a tagged type)."""
        keys = {f.key for f in self.fields}
        return frozenset(keys | {TYPE_KEY}) if self.tag else frozenset(keys)

    @cached_property
    def known(self) -> Mapping[str, str]:
        """Case-folded Graph name -> Graph name, for every name the schema knows."""
        names = [*self.field_keys, *self.documented]
        return {ascii_lower(name): name for name in names}

    @cached_property
    def writers(self) -> Mapping[str, Field]:
        """The field that writes each key."""
        return {f.key: f for f in self.fields if f.written}

    @cached_property
    def key_order(self) -> tuple[str, ...]:
        """Known keys in documented order (fields, then documented extras)."""
        if self.order is not None:
            return self.order
        seen = dict.fromkeys(f.key for f in self.fields)
        return tuple(seen) + tuple(k for k in self.documented if k not in seen)

    @cached_property
    def attr_keys(self) -> Mapping[str, str]:
        """Model attribute name -> Graph property name (for error paths; ``""`` for a
        mapping written flat in the owner)."""
        return {f.attr: "" if f.flatten else f.key for f in self.fields}

    def canonical(self, key: str) -> str:
        """The Graph spelling of a property name read in any case (``GrantControls``
        -> ``grantControls``, ``GrantControls@odata.type`` too); unknown names are
        kept as written."""
        if key in self.field_keys:
            return key
        found = self.known.get(ascii_lower(key))
        if found is not None:
            return found
        prop, at, annotation = key.partition("@")
        if at and prop:
            base = self.known.get(ascii_lower(prop))
            if base is not None:
                return f"{base}@{annotation}"
        return key
