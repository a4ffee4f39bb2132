"""Tests of the ``protected-actions`` command line, and the helpers they share.

:func:`invoke` runs a command line through :func:`~protected_actions.cli.run` on
in-memory streams; :func:`guarded_tenant` builds a small tenant with nothing wrong
(two emergency accounts, Conditional Access management protected by an enabled
phishing-resistant policy) that tests change one thing at a time.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import attrs

import protected_actions as pa
from protected_actions.cli import build_parser, run
from protected_actions.graph import dump_tenant

CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"
CA_DELETE = "microsoft.directory/conditionalAccessPolicies/delete"
HARD_DELETE = "microsoft.directory/deletedItems/delete"
PARTNER_CREATE = "microsoft.directory/crossTenantAccessPolicy/partners/create"


@attrs.frozen
class Result:
    """What a command printed and its exit status."""

    status: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output parsed as JSON."""
        return json.loads(self.out)


class TTY(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def invoke(*argv: str, stdin: str = "", stderr: io.StringIO | None = None) -> Result:
    """Run ``protected-actions ARGV...`` and capture its streams."""
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    args = build_parser().parse_args(list(argv))
    status = run(args, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return Result(status=status, out=out.getvalue(), err=err.getvalue())


def guarded_policy(**changes: Any) -> pa.Policy:
    """Phishing-resistant MFA on ``c1`` for everyone but the ``breakglass`` group."""
    base = pa.Policy(
        id="p1", display_name="CA management - phishing-resistant", state="enabled",
        conditions=pa.Conditions(
            users=pa.UserConditions(include_users=("All",), exclude_groups=("breakglass",)),
            applications=pa.ApplicationConditions(
                include_authentication_context_class_references=("c1",))),
        grant_controls=pa.GrantControls(
            authentication_strength=pa.PHISHING_RESISTANT_MFA_STRENGTH.id))
    return attrs.evolve(base, **changes)


def guarded_tenant(**changes: Any) -> pa.Tenant:
    """A tenant with no lint error and nothing locked out."""
    ga = pa.GLOBAL_ADMINISTRATOR.id
    parts: dict[str, Any] = {
        "policies": [guarded_policy()],
        "auth_contexts": [pa.AuthContext(id="c1", display_name="CA management",
                                         is_available=True)],
        "protected_actions": [pa.ProtectedAction(permission=p, context_id="c1")
                              for p in (CA_CREATE, CA_DELETE)],
        "users": [pa.User(id="alice", display_name="Alice",
                          registered_methods={"password", "fido2"}),
                  *(pa.User(id=f"bg{i}", member_of={"breakglass"},
                            registered_methods={"fido2"}) for i in (1, 2))],
        "groups": [pa.Group(id="breakglass")],
        "role_assignments": [
            pa.RoleAssignment(principal_id="alice",
                              role_definition_id=pa.CONDITIONAL_ACCESS_ADMINISTRATOR.id),
            *(pa.RoleAssignment(principal_id=f"bg{i}", role_definition_id=ga)
              for i in (1, 2))],
        "emergency_access_accounts": ["bg1", "bg2"],
    }
    parts.update(changes)
    return pa.Tenant(**parts)


def write_bundle(path: Path, tenant: pa.Tenant) -> Path:
    """Write ``tenant`` as a bundle file and return its path."""
    path.write_text(json.dumps(dump_tenant(tenant), indent=2), encoding="utf-8")
    return path
