"""The embedded sample tenant and its example sessions, used by ``protected-actions demo``.

The tenant (``tenant.json``, a Graph JSON bundle) has five auth contexts: ``c1``
Conditional Access management (phishing-resistant MFA, guests blocked), ``c2`` hard
deletion (privileged access workstations only), ``c3`` named locations (MFA every
time from a trusted network), ``c4`` cross-tenant access (report-only policy only,
so never satisfied) and ``c10`` payroll approvals (MFA within 4 hours). The
sessions (``sessions/NAME.json``, session JSON) are sign-ins of its users.

>>> tenant = sample_tenant()
>>> len(tenant.users), len(tenant.auth_contexts)
(8, 5)
>>> sample_session("alice-password-push").user.id
'00000001-1111-4222-8333-000000000001'
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from protected_actions.errors import LoadError, LoadProblem
from protected_actions.graph import load_session, load_tenant
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["sample_session", "sample_session_names", "sample_sign_ins", "sample_tenant",
           "sample_tenant_file"]


def __dir__() -> list[str]:
    return __all__


def _root() -> Traversable:
    return files(__name__)


def sample_tenant_file() -> Traversable:
    """The bundle file of the sample tenant (inside the installed package)."""
    return _root() / "tenant.json"


def sample_sign_ins() -> Path:
    """The folder of the sample tenant's sign-in logs: ``signIns.jsonl`` (Microsoft
    Graph ``signIn`` objects, one per line) and ``SigninLogs.csv`` (a Log Analytics
    export), made by replaying synthetic sign-ins of its users."""
    return Path(str(_root() / "sign-ins"))


def sample_tenant() -> Tenant:
    """The embedded sample tenant, loaded from its Graph JSON bundle."""
    return load_tenant(_read(sample_tenant_file(), "tenant.json"))


def sample_session_names() -> tuple[str, ...]:
    """The names of the example sessions, sorted (``alice-password-push``...)."""
    folder = _root() / "sessions"
    if not folder.is_dir():
        return ()
    return tuple(sorted(entry.name.removesuffix(".json") for entry in folder.iterdir()
                        if entry.name.endswith(".json")))


def sample_session(name: str) -> SessionState:
    """The example session ``name`` (see :func:`sample_session_names`).

    :raises LoadError: no example session has that name.
    """
    entry = _root() / "sessions" / f"{name}.json"
    if name not in sample_session_names():
        known = ", ".join(sample_session_names()) or "none"
        raise LoadError([LoadProblem("$", f"no example session named {name!r} "
                                          f"(known: {known})", f"sample:{name}")])
    return load_session(_read(entry, f"sessions/{name}.json"))


def _read(entry: Traversable, name: str) -> Any:
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # pragma: no cover - a broken installation
        raise LoadError([LoadProblem("$", f"cannot read the sample: {exc}",
                                     f"protected_actions/samples/{name}")]) from None
