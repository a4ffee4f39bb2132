"""Microsoft Graph JSON <-> models, with cattrs: tenant bundles, policies, sessions.

Loading never evaluates; every problem is reported at once as a
:class:`~protected_actions.errors.LoadError` with JSON paths; dumping writes a
normal form that keeps every property read (see :func:`dump_tenant`).
"""

from __future__ import annotations

from ._api import (
    GraphJSON,
    dump_policy,
    dump_session,
    dump_template,
    dump_tenant,
    load_policies,
    load_policy,
    load_session,
    load_tenant,
)
from ._converter import configure_converter, make_converter
from ._whatif import WhatIfRequest, load_what_if

__all__ = [
    "GraphJSON",
    "WhatIfRequest",
    "configure_converter",
    "dump_policy",
    "dump_session",
    "dump_template",
    "dump_tenant",
    "load_policies",
    "load_policy",
    "load_session",
    "load_tenant",
    "load_what_if",
    "make_converter",
]


def __dir__() -> list[str]:
    return __all__
