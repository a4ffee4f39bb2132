"""One cattrs converter for Microsoft Graph JSON and the session JSON.

It mirrors cattrs' ``preconf`` modules: :func:`make_converter` builds a converter
and :func:`configure_converter` registers every hook on an existing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import attrs
import cattrs

from protected_actions.model.policy import Policy
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._codecs import Context, at_key, each, find
from ._errors import GraphValueError
from ._objects import additional_properties, structure_hook, unstructure_hook
from ._schema import TYPE_KEY, Schema, normalize_type
from ._schemas import LOCATION_SHAPES, LOCATION_TYPES, NAMED_LOCATION, SCHEMAS, is_page
from ._template import POLICY_TEMPLATE, TEMPLATE_DETAILS, PolicyTemplate, policy_from_template

__all__ = ["PolicyDocument", "configure_converter", "key_for", "make_converter"]


ALL_SCHEMAS: tuple[Schema, ...] = (*SCHEMAS, TEMPLATE_DETAILS, POLICY_TEMPLATE)

_KEYS: Mapping[str, Mapping[str, str]] = {s.cls.__name__: s.attr_keys for s in ALL_SCHEMAS}


def key_for(class_name: str, attribute: str) -> str | None:
    """The Graph property name of a model attribute (for error paths)."""
    return _KEYS.get(class_name, {}).get(attribute)


class PolicyDocument:
    """Marker type: a document of policies (one policy, a bare array, a Graph page
    ``{"value": [...]}`` or Microsoft's template list). Structuring it gives a
    ``tuple[Policy, ...]``."""


def configure_converter(converter: cattrs.Converter, *, strict: bool = False,
                        for_create: bool = False) -> None:
    """Register the Graph JSON hooks on ``converter``.

    Rules (``dump_tenant`` documents the normal form they write):

    - snake_case attributes <-> Graph camelCase properties through
      ``make_dict_structure_fn`` / ``make_dict_unstructure_fn`` with one
      ``override(rename=..., struct_hook=..., unstruct_hook=...)`` per attribute
      (the tables in ``graph/_schemas.py``); property names are matched
      case-insensitively (``GrantControls`` reads as ``grantControls``) and written
      in Graph's camelCase;
    - detailed validation stays on: every problem is collected with its path;
      values are type-checked strictly (a string is never split into a list, ``1``
      is not ``true``, ``7`` is not ``"7"``); model validators
      (:class:`~protected_actions.errors.InvalidModelError`) report at the
      attribute's Graph path;
    - unknown properties, beta-only properties and ``@odata.*`` annotations
      (including ``authenticationStrength@odata.context`` siblings) are kept in the
      model's ``unmodelled`` (``SessionControls.others`` for session controls) and
      written back; a near miss of a known property (case aside: a singular for a
      plural, an edit distance of at most two, one inserted word) is always an
      error with a did-you-mean; ``strict=True`` rejects every unknown property
      (annotations and documented properties are still kept); the session JSON
      always rejects them; kept JSON nests at most 64 levels;
    - a value the model cannot hold exactly (``null`` for a list, a flags list
      instead of a string, a ``memberOf`` order, a non-canonical ``@odata.type``,
      ...) is kept raw in ``unmodelled`` under its Graph name and written back only
      while it still structures to the current model value;
    - ``@odata.type`` unions: named locations dispatch on the tag (``#`` and
      ``microsoft.graph.`` optional, any case) or, untagged, on ``ipRanges`` /
      ``countriesAndRegions`` / ``compliantNetworkType``; IP ranges, external
      tenants and combination configurations derive their tag from the model
      (``CombinationConfiguration.kind``), and the normal form always writes it;
    - Graph flags enums (``guestOrExternalUserTypes``, ``insiderRiskLevels``,
      ``transferMethods``, each ``allowedCombinations`` entry) are comma-separated
      strings <-> tuples of flags in written order;
    - ``grantControls.authenticationStrength`` ``{"id": ...}`` or the expanded
      strength: the id, plus ``embedded_authentication_strength`` when expanded;
    - ``rolePermissions[].allowedResourceActions`` <-> ``RoleDefinition.permissions``
      (an entry with a ``condition`` or ``excludedResourceActions`` grants nothing);
    - bundle lists may be Graph pages; ``resourceActions`` without an
      ``authenticationContextId`` stay bundle data (DESIGN §5);
    - a policy or named location without an ``id`` takes its ``displayName``;
    - Graph PowerShell exports (``Get-Mg... | ConvertTo-Json``): PascalCase names,
      properties of a derived type inside ``AdditionalProperties`` (read as the
      object's own, the bag kept as written) and blank objects such as
      ``"DeviceFilter": {"Mode": null, "Rule": null}`` (read as ``null``, kept raw);
      an empty array where an object belongs reads as ``null`` too;
    - session times are timezone-aware ISO 8601 (``Z`` or an offset; any fraction);
    - ``for_create=True`` unstructures POST bodies: no ``id``,
      ``createdDateTime``, ``modifiedDateTime``, ``deletedDateTime``, no
      annotations but ``@odata.type``, no ``AdditionalProperties``, the model's
      values rather than raw forms read earlier, and an expanded strength becomes
      ``{"id": ...}`` (an authentication context keeps its chosen ``id``).
    """
    ctx = Context(converter=converter, strict=strict, for_create=for_create)
    attrs.resolve_types(Tenant, localns={"CompiledTenant": object})
    for schema in ALL_SCHEMAS:
        converter.register_structure_hook(schema.cls, structure_hook(schema, ctx))
        converter.register_unstructure_hook(schema.cls, unstructure_hook(schema, ctx))
    converter.register_structure_hook(NAMED_LOCATION, _named_location_hook(ctx))
    converter.register_structure_hook(PolicyDocument, _policy_document_hook(ctx))


def make_converter(*, strict: bool = False, for_create: bool = False) -> cattrs.Converter:
    """A new converter with detailed validation and every Graph hook registered."""
    converter = cattrs.Converter(detailed_validation=True)
    configure_converter(converter, strict=strict, for_create=for_create)
    return converter


@cache
def shared_converter(*, for_create: bool = False, strict: bool = False) -> cattrs.Converter:
    """The converter the load and dump functions use (built once per option set)."""
    return make_converter(for_create=for_create, strict=strict)


# -- unions and documents -----------------------------------------------------------------

_LOCATION_TAGS = ", ".join(f"#microsoft.graph.{name}" for name in
                           ("ipNamedLocation", "countryNamedLocation",
                            "compliantNetworkNamedLocation"))


def _location_class(data: Mapping[str, Any]) -> type:
    bag = additional_properties(data)
    tag = data.get(TYPE_KEY, bag.get(TYPE_KEY))
    if tag is not None:
        found = LOCATION_TYPES.get(normalize_type(tag)) if isinstance(tag, str) else None
        if found is None:
            raise GraphValueError(f"one of {_LOCATION_TAGS}", tag, key=TYPE_KEY)
        return found
    for key in (*data, *bag):
        shape = LOCATION_SHAPES.get(ascii_lower(str(key)))
        if shape is not None:
            return shape
    raise GraphValueError(f"a named location: an @odata.type ({_LOCATION_TAGS}), or an "
                          "ipRanges or countriesAndRegions property", data)


def _named_location_hook(ctx: Context) -> Any:
    def structure(data: Any, _type: Any) -> Any:
        if not isinstance(data, Mapping):
            raise GraphValueError("an object", data)
        return ctx.structure(data, _location_class(data))

    return structure


def _is_template(item: Any) -> bool:
    return isinstance(item, Mapping) and find(item, "details") is not None and \
        find(item, "conditions") is None


def _one_policy(item: Any, ctx: Context) -> Policy:
    if _is_template(item):
        template: PolicyTemplate = ctx.structure(item, PolicyTemplate)
        return policy_from_template(template)
    policy: Policy = ctx.structure(item, Policy)
    return policy


def _policy_document_hook(ctx: Context) -> Any:
    def structure(data: Any, _type: Any) -> tuple[Policy, ...]:
        if is_page(data):
            return tuple(at_key("value", lambda: each(
                data["value"], lambda item: _one_policy(item, ctx), Policy)))
        if isinstance(data, list):
            return tuple(each(data, lambda item: _one_policy(item, ctx), Policy))
        if isinstance(data, Mapping):
            return (_one_policy(data, ctx),)
        raise GraphValueError("a policy object, a list of policies or a Graph page", data)

    return structure
