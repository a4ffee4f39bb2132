"""``evaluate`` (a protected action) and ``what-if`` (a sign-in to an application or
a user action): one decision, as text or JSON; the exit status says the outcome."""

from __future__ import annotations

import argparse
import json
from typing import Any

from protected_actions.engine.decision import Decision, Outcome
from protected_actions.engine.evaluator import evaluate, evaluate_sign_in
from protected_actions.engine.explain import render_text
from protected_actions.model.tenant import Tenant

from .common import (
    EXIT_CHALLENGE,
    EXIT_DENY,
    EXIT_OK,
    Streams,
    add_command,
    check_permission,
    load_session_arg,
    tenant_from,
    tenant_option,
)
from .render.text import user_label

__all__ = ["register"]

_OUTCOME_EXIT = {Outcome.ALLOW: EXIT_OK, Outcome.CHALLENGE: EXIT_CHALLENGE,
                 Outcome.DENY: EXIT_DENY}


def _print_decision(args: argparse.Namespace, tenant: Tenant, decision: Decision,
                    io: Streams) -> int:
    if args.json:
        io.stdout.write(json.dumps(decision.to_dict(), indent=2) + "\n")
    else:
        text = render_text(decision, verbose=args.verbose,
                           user_label=user_label(tenant, decision.user_id))
        challenge = decision.challenge
        if challenge is not None and challenge.claims:
            text += f"\nWWW-Authenticate: {challenge.www_authenticate()}"
        io.stdout.write(text + "\n")
    return _OUTCOME_EXIT[decision.outcome]


def _cmd_evaluate(args: argparse.Namespace, io: Streams) -> int:
    tenant = tenant_from(args)
    session = load_session_arg(args.session, io.stdin)
    permission = check_permission(tenant, args.action)
    decision = evaluate(tenant, session, permission,
                        check_authorization=not args.no_authorization, scope=args.scope)
    return _print_decision(args, tenant, decision, io)


def _cmd_what_if(args: argparse.Namespace, io: Streams) -> int:
    tenant = tenant_from(args)
    session = load_session_arg(args.session, io.stdin)
    return _print_decision(args, tenant, evaluate_sign_in(tenant, session, args.app), io)


def _decision_options(parser: argparse.ArgumentParser) -> None:
    tenant_option(parser)
    parser.add_argument("--session", required=True, metavar="FILE",
                        help='session JSON file, "-" for standard input, or "sample:NAME"')
    parser.add_argument("--json", action="store_true", help="print Decision.to_dict() as JSON")
    parser.add_argument("--verbose", action="store_true",
                        help="also list the policies that do not apply, and why")


def register(sub: Any) -> None:
    """Add ``evaluate`` and ``what-if``."""
    evaluate_parser = add_command(sub, "evaluate", _cmd_evaluate,
                                  "may this session perform this protected action now?")
    _decision_options(evaluate_parser)
    evaluate_parser.add_argument("--action", required=True, metavar="PERMISSION",
                                 help="e.g. microsoft.directory/conditionalAccessPolicies/create")
    evaluate_parser.add_argument("--no-authorization", action="store_true",
                                 help="skip the role check: Conditional Access only")
    evaluate_parser.add_argument("--scope", metavar="DIRECTORY_SCOPE_ID",
                                 help="what the action is performed on, as a directoryScopeId "
                                      "(/administrativeUnits/ID or /OBJECT_ID): roles assigned "
                                      "at that scope then count; without it only tenant-wide "
                                      "roles do")
    what_if = add_command(sub, "what-if", _cmd_what_if,
                          "what-if for a sign-in to an application or a user action")
    _decision_options(what_if)
    what_if.add_argument("--app", required=True, metavar="APP_ID_OR_USER_ACTION",
                         help="application id (or Office365, MicrosoftAdminPortals...) or "
                              "urn:user:registersecurityinfo / urn:user:registerdevice")
