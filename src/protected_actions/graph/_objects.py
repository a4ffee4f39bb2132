"""The hook factory: cattrs structure and unstructure hooks for one :class:`Schema`.

Structuring a Graph object:

1. property names are matched to the schema case-insensitively (``GrantControls``
   is ``grantControls``); two names for one property are an error;
2. the schema's ``prepare`` step runs (derived ids, Graph pages, ...);
3. a cattrs-generated ``make_dict_structure_fn`` (one ``override(rename=...,
   struct_hook=...)`` per attribute, detailed validation on) builds the model, with
   every property it does not model in ``unmodelled``;
4. every property whose value the normal form would not write back exactly
   (``null`` for a list, a flags list, an omitted ``false``, ...) is kept raw in
   ``unmodelled`` under its Graph name; so is an ``@odata.type`` spelled
   differently from the canonical one.

Unstructuring writes the normal form (``dump_tenant`` documents it): a
cattrs-generated ``make_dict_unstructure_fn`` renders the attributes, then the
properties are put in order, and a raw value kept earlier wins only while it still
structures to the current model value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

import attrs
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from protected_actions.model.frozen import (
    MAX_JSON_DEPTH,
    FrozenDict,
    freeze_mapping,
    thaw,
    too_deep,
)
from protected_actions.model.spelling import near_miss
from protected_actions.model.vocabulary import ascii_lower

from ._codecs import Context
from ._errors import GraphValueError
from ._schema import TYPE_KEY, Field, Schema

__all__: list[str] = []

T = TypeVar("T")
StructureHook = Callable[[Any, Any], Any]
UnstructureHook = Callable[[Any], Any]


def _identity(value: Any, _type: Any) -> Any:
    return value


def _is_annotation(key: str) -> bool:
    return key.startswith(("@", "#")) or "@" in key


def _request_key(key: str) -> bool:
    """Whether a POST body keeps this key: every annotation but ``@odata.type`` (and
    ``x@odata.type``) and every ``#action`` advertisement is response metadata, and
    PowerShell's ``AdditionalProperties`` bag is no Graph property."""
    if key.startswith("#") or ascii_lower(key) == "additionalproperties":
        return False
    return "@" not in key or key.endswith("@odata.type")


# -- structuring ------------------------------------------------------------------------


def _split(schema: Schema, data: Mapping[Any, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Known properties (by Graph name) and the others (as written, annotations of
    known properties renamed to the Graph spelling)."""
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise GraphValueError("property names that are strings", key)
        name = schema.canonical(key)
        if name in origin:
            raise GraphValueError("one spelling per property", key, key=name,
                                  message=f"duplicate property: {origin[name]!r} and {key!r}")
        origin[name] = key
        (known if name in schema.field_keys else extra)[name] = value
    _supplement(schema, known, additional_properties(data))
    return known, extra


def additional_properties(data: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """The ``AdditionalProperties`` bag of a Graph PowerShell object (``ConvertTo-Json``
    of an SDK object keeps a derived type's properties there), or nothing."""
    for key, value in data.items():
        if isinstance(key, str) and ascii_lower(key) == "additionalproperties" and \
                isinstance(value, Mapping):
            return value
    return {}


def _supplement(schema: Schema, known: dict[str, Any], bag: Mapping[Any, Any]) -> None:
    """Known properties found only in the ``AdditionalProperties`` bag are read too (the
    bag itself stays an unknown property, written back as it was)."""
    for key, value in bag.items():
        name = schema.canonical(key) if isinstance(key, str) else None
        if name in schema.field_keys and name not in known:
            known[name] = value


def _unknown(schema: Schema, extra: Mapping[str, Any], ctx: Context) -> list[Exception]:
    """Problems with the properties the schema does not model: a near miss of a known
    name (``grantControl``, ``includeUser``) is always an error with a did-you-mean;
    any other unknown property is an error when the schema keeps none (the session)
    or the converter is strict; JSON kept as data may nest at most
    :data:`~protected_actions.model.frozen.MAX_JSON_DEPTH` levels."""
    found: list[Exception] = []
    for key, value in extra.items():
        if too_deep(value):
            found.append(GraphValueError(
                "JSON nested less deeply", value, key=key,
                message=f"nested deeper than {MAX_JSON_DEPTH} levels"))
        if _is_annotation(key) or key in schema.documented or \
                ascii_lower(key) == "additionalproperties":
            continue
        near = near_miss(key, schema.key_order)
        if near is not None:
            found.append(GraphValueError("a known property", key, key=key,
                                         message=f"unknown property; did you mean {near!r}?"))
        elif schema.extras is None or ctx.strict:
            found.append(GraphValueError("a known property", key, key=key,
                                         message="unknown property"))
    return found


def _build(schema: Schema, core: StructureHook, known: dict[str, Any],
           unknown: list[Exception]) -> Any:
    """The generated structure function's result; unknown properties are reported
    together with its problems."""
    try:
        obj = core(known, schema.cls)
    except ClassValidationError as exc:
        if unknown:
            raise ClassValidationError(exc.message, [*unknown, *exc.exceptions],
                                       schema.cls) from None
        raise
    if unknown:
        raise ClassValidationError(f"While structuring {schema.cls.__name__}", unknown,
                                   schema.cls)
    return obj


def _core_structure(schema: Schema, ctx: Context) -> StructureHook:
    overrides: dict[str, Any] = {
        f.attr: override(rename=f.key, struct_hook=_field_loader(f, ctx)) for f in schema.fields}
    if schema.extras is not None:
        overrides[schema.extras] = override(struct_hook=_identity)
    named = set(overrides)
    for a in attrs.fields(schema.cls):
        if a.init and a.name not in named:
            overrides[a.name] = override(omit=True)
    return make_dict_structure_fn(schema.cls, ctx.converter, **overrides)


def _field_loader(field: Field, ctx: Context) -> StructureHook:
    return lambda value, _type: field.codec.load(value, ctx)


def structure_hook(schema: Schema, ctx: Context) -> StructureHook:
    """The structure hook for ``schema.cls``."""
    core = _core_structure(schema, ctx)

    def structure(data: Any, _type: Any) -> Any:
        if not isinstance(data, Mapping):
            raise GraphValueError("an object", data)
        known, extra = _object_error(schema, lambda: _split(schema, data))
        original = dict(known)
        prepare = schema.prepare
        if prepare is not None:
            _object_error(schema, lambda: prepare(known, extra))
        tag = known.pop(TYPE_KEY, None) if schema.tag is not None else None
        unknown = _unknown(schema, extra, ctx)
        if schema.extras is not None:
            known[schema.extras] = freeze_mapping(
                {k: None if unknown and too_deep(v) else v for k, v in extra.items()})
        obj = _build(schema, core, known, unknown)
        kept = _object_error(schema, lambda: _raw_forms(schema, obj, original, tag, ctx))
        if not kept or schema.extras is None:
            return obj
        return attrs.evolve(obj, **{schema.extras: freeze_mapping({**extra, **kept})})

    return structure


def _object_error(schema: Schema, step: Callable[[], T]) -> T:
    """Run a step of structuring; its problem is raised the cattrs way, as a
    ``ClassValidationError`` of the class being structured."""
    try:
        return step()
    except GraphValueError as exc:
        raise ClassValidationError(f"While structuring {schema.cls.__name__}", [exc],
                                   schema.cls) from None


def _raw_forms(schema: Schema, obj: Any, original: Mapping[str, Any], tag: Any,
               ctx: Context) -> dict[str, Any]:
    """Values read that the normal form would not write back exactly."""
    kept: dict[str, Any] = {}
    for field in schema.fields:
        if field.key not in original or not field.written:
            continue
        raw = original[field.key]
        value = getattr(obj, field.attr)
        if not field.when(value, obj) or field.codec.differs(raw, obj, field.attr, ctx):
            kept[field.key] = raw
    if tag is not None:
        kept.update(_raw_tag(schema, obj, tag))
    return kept


def _raw_tag(schema: Schema, obj: Any, tag: Any) -> dict[str, Any]:
    rule = schema.tag
    assert rule is not None
    if not isinstance(tag, str):
        raise GraphValueError("a type name such as \"#microsoft.graph.ipNamedLocation\"",
                              tag, key=TYPE_KEY)
    said = rule.parse(tag)
    if said is not None and said != rule.of(obj):
        raise GraphValueError("a type matching the object", tag, key=TYPE_KEY,
                              message=f"@odata.type {tag!r} does not match the object's "
                                      f"properties (expected {rule.canonical(obj)!r})")
    return {} if tag == rule.canonical(obj) else {TYPE_KEY: tag}


# -- unstructuring ----------------------------------------------------------------------


def _core_unstructure(schema: Schema, ctx: Context) -> UnstructureHook:
    overrides: dict[str, Any] = {}
    plain = {f.attr for f in schema.fields
             if f.written and not f.flatten and not f.codec.needs_owner}
    for field in schema.fields:
        if field.attr in plain:
            dump = partial(field.codec.dump, ctx=ctx)
            overrides[field.attr] = override(rename=field.key, unstruct_hook=dump)
    for a in attrs.fields(schema.cls):
        if a.name not in plain:
            overrides[a.name] = override(omit=True)
    return make_dict_unstructure_fn(schema.cls, ctx.converter, **overrides)


def unstructure_hook(schema: Schema, ctx: Context) -> UnstructureHook:
    """The unstructure hook for ``schema.cls`` (the normal form)."""
    core = _core_unstructure(schema, ctx)

    def unstructure(obj: Any) -> dict[str, Any]:
        out = _assemble(schema, obj, core(obj), ctx)
        if ctx.for_create:
            return {k: v for k, v in out.items() if k not in schema.read_only and _request_key(k)}
        return out

    return unstructure


def _assemble(schema: Schema, obj: Any, body: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    extra: Mapping[str, Any] = getattr(obj, schema.extras) if schema.extras else FrozenDict()
    out: dict[str, Any] = {}
    if TYPE_KEY in schema.field_keys:
        _write_key(out, schema, TYPE_KEY, obj, body, extra, ctx)
    for key, value in extra.items():
        if key.startswith("@") and key not in schema.field_keys:
            out[key] = thaw(value)
    for key in schema.key_order:
        if key != TYPE_KEY:
            _write_key(out, schema, key, obj, body, extra, ctx)
    for key, value in extra.items():
        if key not in out and key not in schema.field_keys:
            out[key] = thaw(value)
    return out


def _write_key(out: dict[str, Any], schema: Schema, key: str, obj: Any,
               body: Mapping[str, Any], extra: Mapping[str, Any], ctx: Context) -> None:
    field = schema.writers.get(key)
    if key == TYPE_KEY and schema.tag is not None:
        _write_tag(out, schema, obj, extra)
    elif field is not None:
        _write_field(out, field, obj, body, extra, ctx)
    elif key in extra:
        out[key] = thaw(extra[key])
    siblings = f"{key}@"
    out.update((k, thaw(v)) for k, v in extra.items() if k.startswith(siblings))


def _write_tag(out: dict[str, Any], schema: Schema, obj: Any, extra: Mapping[str, Any]) -> None:
    rule = schema.tag
    assert rule is not None
    raw = extra.get(TYPE_KEY)
    canonical = rule.canonical(obj)
    if isinstance(raw, str) and (canonical is None or rule.parse(raw) == rule.of(obj)):
        out[TYPE_KEY] = raw
    elif canonical is not None:
        out[TYPE_KEY] = canonical


def _write_field(out: dict[str, Any], field: Field, obj: Any, body: Mapping[str, Any],
                 extra: Mapping[str, Any], ctx: Context) -> None:
    value = getattr(obj, field.attr)
    if field.key in extra and not ctx.for_create:
        raw = extra[field.key]
        if field.codec.matches(raw, obj, field.attr, ctx):
            out[field.key] = thaw(raw)
        elif field.when(value, obj):
            out[field.key] = field.codec.stale(raw, obj, field.attr, ctx)
        return
    if not field.when(value, obj):
        return
    if field.flatten:
        out.update(field.codec.dump_field(obj, field.attr, ctx))
    elif field.key in body:
        out[field.key] = body[field.key]
    else:
        out[field.key] = field.codec.dump_field(obj, field.attr, ctx)
