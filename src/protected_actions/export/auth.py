"""Bearer tokens for Microsoft Graph: a fixed token (CI, tests), or a sign-in through
``azure-identity`` (the optional ``export`` extra).

Without a token, :func:`credential_token` uses ``DefaultAzureCredential`` (environment
variables of a service principal, a managed identity, the Azure CLI's sign-in...), or
the device code flow for interactive use on a machine without a browser.
"""

from __future__ import annotations

from typing import Any

from protected_actions.model.vocabulary import ascii_lower

from ._errors import ExportError
from .client import TokenProvider

__all__ = ["credential_token", "static_token"]


def __dir__() -> list[str]:
    return __all__


def static_token(token: str) -> TokenProvider:
    """A provider that always returns ``token`` (a ``Bearer`` prefix is removed).

    ```pycon
    >>> static_token("Bearer abc")()
    'abc'

    ```
    """
    scheme, _, rest = token.strip().partition(" ")
    value = rest.strip() if ascii_lower(scheme) == "bearer" else token.strip()
    if not value:
        raise ExportError("the token is empty")
    return lambda: value


def credential_token(graph_url: str, *, device_code: bool = False,
                     tenant_id: str | None = None) -> TokenProvider:
    """A provider that signs in with ``azure-identity`` and asks for
    ``{graph_url}/.default`` (the permissions granted to the app, or consented for the
    user); the credential caches and refreshes the token.

    :param device_code: use the device code flow (prints a code to enter at
        https://microsoft.com/devicelogin) instead of ``DefaultAzureCredential``.
    :raises ExportError: ``azure-identity`` is not installed.
    """
    try:
        import azure.identity
        from azure.core.exceptions import ClientAuthenticationError
    except ImportError:
        raise ExportError("signing in needs azure-identity: pip install "
                          "'protected-actions[export]', or pass --token") from None
    credential: Any = (azure.identity.DeviceCodeCredential(tenant_id=tenant_id)
                       if device_code else azure.identity.DefaultAzureCredential())
    scope = f"{graph_url.rstrip('/')}/.default"

    def token() -> str:
        try:
            return str(credential.get_token(scope).token)
        except ClientAuthenticationError as exc:
            first = (str(exc.message or exc).strip().splitlines() or ["no credential"])[0]
            raise ExportError(f"cannot sign in to Microsoft Graph ({first}): sign in with "
                              "'az login', set a service principal's AZURE_* variables, or "
                              "pass --device-code or --token") from None

    return token
