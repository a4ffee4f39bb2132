"""Read a live tenant through Microsoft Graph into a bundle folder.

```pycon
>>> from protected_actions.export import required_permissions
>>> required_permissions()  # doctest: +NORMALIZE_WHITESPACE
('Application.Read.All', 'AuthenticationContext.Read.All', 'GroupMember.Read.All',
 'Policy.Read.All', 'RoleEligibilitySchedule.Read.Directory',
 'RoleManagement.Read.Directory', 'User.Read.All')

```

:func:`export_tenant` reads with a :class:`GraphClient`, :func:`write_bundle` writes
the folder atomically. ``httpx`` and ``azure-identity`` are the ``export`` extra.
"""

from __future__ import annotations

from ._errors import ExportError, MissingPermissionError
from .auth import credential_token, static_token
from .client import DEFAULT_GRAPH_URL, GraphClient, RetryBudget, retry_after_seconds
from .endpoints import LISTS, Endpoint, required_permissions
from .exporter import Export, Progress, export_tenant
from .writer import write_bundle

__all__ = [
    "DEFAULT_GRAPH_URL",
    "LISTS",
    "Endpoint",
    "Export",
    "ExportError",
    "GraphClient",
    "MissingPermissionError",
    "Progress",
    "RetryBudget",
    "credential_token",
    "export_tenant",
    "required_permissions",
    "retry_after_seconds",
    "static_token",
    "write_bundle",
]


def __dir__() -> list[str]:
    return __all__
