"""Bundle keys about applications: ``servicePrincipals`` (Graph ``servicePrincipal``,
the properties that tell a tenant's own applications from Microsoft's) and
``applicationGroups`` (the tenant's changes to the shipped application groups,
``{"Office365": {"add": [appId], "remove": [appId]}, ...}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from protected_actions.model.applications import ApplicationGroupChange, ServicePrincipal
from protected_actions.model.frozen import FrozenDict

from ._codecs import Codec, Context, StringSet, Text, at_key
from ._errors import GraphValueError
from ._schema import READ_ONLY, Field, Schema

__all__: list[str] = []

_OPTIONAL = Text(optional=True)

SERVICE_PRINCIPAL = Schema(ServicePrincipal, (
    Field("id", "id", _OPTIONAL),
    Field("app_id", "appId", Text()),
    Field("app_owner_organization_id", "appOwnerOrganizationId", _OPTIONAL),
    Field("display_name", "displayName", _OPTIONAL),
), read_only=READ_ONLY)

APPLICATION_GROUP_CHANGE = Schema(ApplicationGroupChange, (
    Field("add", "add", StringSet()),
    Field("remove", "remove", StringSet()),
), extras=None)
"""A change to a group: ``add`` and ``remove`` only. Any other property (``ad``,
``removed``) is an error: a change the library cannot read must not be dropped."""


@attrs.frozen
class ApplicationGroupChanges(Codec):
    """``applicationGroups``: group name -> ``{"add": [...], "remove": [...]}``
    (``null`` reads as no change)."""

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None:
            return FrozenDict()
        if not isinstance(value, Mapping):
            raise GraphValueError("an object of group name -> {add, remove}", value)
        return FrozenDict({name: self._one(name, raw, ctx) for name, raw in value.items()})

    @staticmethod
    def _one(name: str, raw: Any, ctx: Context) -> ApplicationGroupChange:
        change: ApplicationGroupChange = at_key(
            name, lambda: ctx.structure(raw, ApplicationGroupChange))
        return change

    def dump(self, value: Any, ctx: Context) -> Any:
        return {name: ctx.unstructure(change) for name, change in value.items()}
