"""``export``: read a live tenant from Microsoft Graph into a bundle folder.

``--token`` / ``--token-env`` take a bearer token (CI, tests); without them the
command signs in with ``azure-identity`` (``--device-code`` for an interactive
sign-in). ``--graph-url`` points at another cloud or a local server. The folder
appears only when the whole export is read and written.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from protected_actions.export import (
    DEFAULT_GRAPH_URL,
    GraphClient,
    credential_token,
    export_tenant,
    required_permissions,
    static_token,
    write_bundle,
)

from .common import EXIT_OK, Streams, UsageError, add_command
from .progress import ProgressBar

__all__ = ["register"]

_EPILOG = ("Microsoft Graph permissions (read-only, least privilege): "
           + ", ".join(required_permissions()) + ".")


def _token(args: argparse.Namespace) -> Any:
    if args.token is not None:
        return static_token(args.token)
    if args.token_env is not None:
        value = os.environ.get(args.token_env)
        if not value:
            raise UsageError(f"--token-env {args.token_env}: the environment variable is "
                             "not set or empty")
        return static_token(value)
    # azure-identity logs every credential it tried; the error below says it in one line.
    logging.getLogger("azure.identity").setLevel(logging.ERROR)
    return credential_token(args.graph_url, device_code=args.device_code,
                            tenant_id=args.tenant_id)


def _cmd_export(args: argparse.Namespace, io: Streams) -> int:
    token = _token(args)
    bar = ProgressBar(io.stderr)
    try:
        with GraphClient(token, graph_url=args.graph_url) as client:
            result = export_tenant(client, emergency_access_accounts=args.emergency_account,
                                   progress=bar)
    finally:
        bar.close()
    folder = write_bundle(result.bundle, args.out, overwrite=args.overwrite)
    counts = ", ".join(f"{len(v)} {k}" for k, v in result.bundle.items())
    io.stdout.write(f"exported {counts} to {folder} ({result.requests} requests)\n")
    for holder in result.unresolved:
        io.stderr.write(f"protected-actions: warning: role holder {holder} is neither a "
                        "user, a group nor a service principal in Graph (deleted?); its "
                        "assignments are kept\n")
    return EXIT_OK


def register(sub: Any) -> None:
    """Add ``export``."""
    parser = add_command(sub, "export", _cmd_export,
                         "read a tenant from Microsoft Graph into a bundle folder")
    parser.epilog = f"{_EPILOG}\n\n{parser.epilog}"
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="the bundle folder to create (written atomically)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace DIR if it exists (only once the new export is complete)")
    parser.add_argument("--graph-url", default=DEFAULT_GRAPH_URL, metavar="URL",
                        help=f"Microsoft Graph's root (default: {DEFAULT_GRAPH_URL})")
    token = parser.add_mutually_exclusive_group()
    token.add_argument("--token", metavar="TOKEN",
                       help="a bearer token for Microsoft Graph (instead of signing in)")
    token.add_argument("--token-env", metavar="VAR",
                       help="the environment variable holding the bearer token")
    token.add_argument("--device-code", action="store_true",
                       help="sign in with the device code flow (azure-identity)")
    parser.add_argument("--tenant-id", metavar="ID",
                        help="the tenant to sign in to with --device-code")
    parser.add_argument("--emergency-account", action="append", default=[], metavar="ID",
                        help="user id of a break-glass account (repeatable); written to "
                             "emergencyAccessAccounts")
