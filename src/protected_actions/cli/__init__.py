"""The ``protected-actions`` command: one module per subcommand (``demo``,
``evaluate`` and ``what-if``, ``lint``, ``lockout``, ``matrix``), the renderers
under :mod:`protected_actions.cli.render`, and the progress bar."""

from __future__ import annotations

from .app import build_parser, main, run
from .common import EXIT_CHALLENGE, EXIT_DENY, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

__all__ = [
    "EXIT_CHALLENGE",
    "EXIT_DENY",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "run",
]


def __dir__() -> list[str]:
    return __all__
