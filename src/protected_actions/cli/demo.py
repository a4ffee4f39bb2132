"""``protected-actions demo``: a guided tour of the embedded sample tenant.

Every step is one call of the library on the sample tenant and one of its example
sessions; each prints the outcome, the reason codes and the command that replays it.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

import attrs

from protected_actions.analysis import Finding, LockoutReport, Severity, find_lockouts, lint
from protected_actions.engine.decision import Decision
from protected_actions.engine.evaluator import evaluate, evaluate_sign_in
from protected_actions.engine.step_up import simulate_step_up
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower
from protected_actions.samples import sample_session, sample_tenant

from .common import Handler, Streams, add_command
from .render.text import severity_summary, user_label, user_name, verdict_line

__all__ = ["STEPS", "Step", "register", "run_demo"]

CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"
HARD_DELETE = "microsoft.directory/deletedItems/delete"
PARTNER_CREATE = "microsoft.directory/crossTenantAccessPolicy/partners/create"
ADMIN_PORTALS = "MicrosoftAdminPortals"


@attrs.frozen(kw_only=True)
class Step:
    """One stop of the tour: a story, a session, and what is asked."""

    title: str
    session: str
    target: str
    sign_in: bool = False
    step_up: bool = False

    def command(self) -> str:
        """The command line that replays this step."""
        if self.sign_in:
            return (f"protected-actions what-if --tenant sample --session sample:{self.session}"
                    f" --app {self.target}")
        return (f"protected-actions evaluate --tenant sample --session sample:{self.session}"
                f" --action {self.target}")


STEPS: tuple[Step, ...] = (
    Step(title="Frank hard-deletes an object from his privileged access workstation",
         session="frank-paw", target=HARD_DELETE),
    Step(title="Alice creates a Conditional Access policy after password + Authenticator push",
         session="alice-password-push", target=CA_CREATE),
    Step(title="Alice completes the step-up with her FIDO2 security key",
         session="alice-password-push", target=CA_CREATE, step_up=True),
    Step(title="Erin, who holds no admin role, tries the same",
         session="erin-password-push", target=CA_CREATE),
    Step(title="Carol is only eligible for Global Administrator and has not activated it",
         session="carol-password-push", target=CA_CREATE),
    Step(title="Dave, a guest Conditional Access Administrator, tries it too",
         session="dave-guest", target=CA_CREATE),
    Step(title="Frank tries the hard deletion from his ordinary laptop (device filter)",
         session="frank-laptop", target=HARD_DELETE),
    Step(title="Alice opens the admin portals from an unregistered device (what-if sign-in)",
         session="alice-password-push", target=ADMIN_PORTALS, sign_in=True),
    Step(title="Bob adds a cross-tenant partner: c4 has only a report-only policy",
         session="bob-password-sms", target=PARTNER_CREATE),
    Step(title="Alice runs the same creation from Azure PowerShell",
         session="alice-azure-powershell", target=CA_CREATE),
)
"""The tour: an allow, a challenge and its step-up, then every kind of deny."""


def _decide(tenant: Tenant, step: Step) -> tuple[Decision, str | None]:
    session: SessionState = sample_session(step.session)
    if step.sign_in:
        return evaluate_sign_in(tenant, session, step.target), None
    decision = evaluate(tenant, session, step.target)
    if not step.step_up:
        return decision, None
    stepped = simulate_step_up(_with_directory_methods(tenant, session), decision)
    added = sorted(stepped.authentications[-1].methods) if stepped.authentications else []
    return evaluate(tenant, stepped, step.target), " + ".join(added)


def _with_directory_methods(tenant: Tenant, session: SessionState) -> SessionState:
    """The session, its user's registered methods taken from the directory when the
    session does not list them (``simulate_step_up`` reads only the session)."""
    if session.user.registered_methods is not None:
        return session
    key = ascii_lower(session.user.id)
    known = next((u for u in tenant.users if ascii_lower(u.id) == key), None)
    if known is None or known.registered_methods is None:
        return session
    user = attrs.evolve(session.user, registered_methods=known.registered_methods)
    return attrs.evolve(session, user=user)


def _step_lines(tenant: Tenant, number: int, step: Step) -> list[str]:
    decision, methods = _decide(tenant, step)
    lines = [f"{number}. {step.title}",
             f"   {decision.outcome.value.upper()}: {decision.target} for "
             f"{user_name(tenant, decision.user_id) or decision.user_id}"
             + (f" (auth context {decision.context_id})" if decision.context_id else "")]
    if methods:
        lines.append(f"   after simulate_step_up() added a fresh sign-in with {methods}")
    lines += [f"   {r.code.value}: {r.message}" for r in decision.reasons]
    if decision.challenge is not None and decision.challenge.claims:
        lines.append(f"   WWW-Authenticate: {decision.challenge.www_authenticate()}")
    if not step.step_up:
        lines.append(f"   $ {step.command()}")
    return lines


def _lint_lines(findings: tuple[Finding, ...]) -> list[str]:
    lines = [f"Lint: {severity_summary(findings)}"]
    lines += [f"   {f.code} {f.message}" for f in findings if f.severity is Severity.ERROR]
    lines.append("   $ protected-actions lint --tenant sample")
    return lines


def _lockout_lines(tenant: Tenant, report: LockoutReport) -> list[str]:
    lines = [f"Lockout: {verdict_line(report)}"]
    lines += [f"   locked out: {p}" for p in report.locked_out]
    critical = ", ".join(report.critical) or "none (Conditional Access stays repairable)"
    lines.append(f"   critical: {critical}")
    for user_id, safe in report.emergency.items():
        lines.append(f"   emergency account {user_label(tenant, user_id)}: "
                     + ("safe" if safe else "NOT SAFE"))
    lines.append("   $ protected-actions lockout --tenant sample")
    return lines


def run_demo(stdout: TextIO) -> int:
    """Print the tour on ``stdout``; returns 0."""
    tenant = sample_tenant()
    out = [f"protected-actions demo: the sample tenant has {len(tenant.policies)} "
           f"Conditional Access policies, {len(tenant.auth_contexts)} auth contexts, "
           f"{len(tenant.protected_actions)} protected actions and {len(tenant.users)} users.",
           ""]
    for number, step in enumerate(STEPS, 1):
        out += [*_step_lines(tenant, number, step), ""]
    out += [*_lint_lines(lint(tenant)), ""]
    out += _lockout_lines(tenant, find_lockouts(tenant))
    stdout.write("\n".join(out) + "\n")
    return 0


def _cmd_demo(args: argparse.Namespace, streams: Streams) -> int:
    return run_demo(streams.stdout)


def register(sub: Any) -> Handler:
    """Add ``demo``; returns its handler (the command line's default)."""
    add_command(sub, "demo", _cmd_demo, "guided tour of the embedded sample tenant (the default)")
    return _cmd_demo
