"""What can go wrong while reading a tenant from Microsoft Graph."""

from __future__ import annotations

from protected_actions.errors import ProtectedActionsError

__all__ = ["ExportError", "MissingPermissionError"]


def __dir__() -> list[str]:
    return __all__


class ExportError(ProtectedActionsError):
    """Graph could not be read: the network, a rejected token, throttling beyond the
    retry budget, or an answer that is not a Graph collection."""


class MissingPermissionError(ExportError):
    """Graph answered 403: the signed-in identity lacks a permission.

    ``permission`` is the least-privileged Microsoft Graph permission that grants the
    request, ``method`` and ``url`` the request that was refused.
    """

    def __init__(self, permission: str, method: str, url: str, detail: str = "") -> None:
        self.permission = permission
        self.method = method
        self.url = url
        self.detail = detail
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"Microsoft Graph refused {method} {url} with 403 Forbidden{suffix}: "
                         f"grant the Microsoft Graph permission {permission} and export again")

    def __reduce__(self) -> tuple[type[MissingPermissionError], tuple[str, str, str, str]]:
        return (type(self), (self.permission, self.method, self.url, self.detail))
