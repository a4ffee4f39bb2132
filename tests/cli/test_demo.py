"""``demo``: the guided tour of the sample tenant."""

from __future__ import annotations

import io
import re
import shlex

import pytest
from tests.cli import invoke

from protected_actions.cli import EXIT_CHALLENGE, EXIT_DENY, EXIT_OK
from protected_actions.cli.demo import STEPS, run_demo
from protected_actions.engine.decision import ReasonCode

DENY_CODES = ("NOT_AUTHORIZED", "ROLE_NOT_ACTIVE", "BLOCKED_BY_POLICY",
              "REQUIREMENT_NOT_INTERACTIVE", "CONTEXT_NOT_ENFORCED", "CLIENT_CANNOT_STEP_UP")


@pytest.fixture(scope="module")
def tour() -> str:
    out = io.StringIO()
    assert run_demo(out) == 0
    return out.getvalue()


def test_demo_command_prints_the_tour(tour: str) -> None:
    """``protected-actions demo`` prints the tour and exits 0."""
    result = invoke("demo")
    assert (result.status, result.out, result.err) == (EXIT_OK, tour, "")


def test_every_outcome_appears(tour: str) -> None:
    """The tour shows an allow, a challenge and a deny."""
    for outcome in ("ALLOW: ", "CHALLENGE: ", "DENY: "):
        assert f"   {outcome}" in tour


@pytest.mark.parametrize("code", DENY_CODES)
def test_every_kind_of_deny_appears(tour: str, code: str) -> None:
    """Each kind of deny is shown with its reason code."""
    assert f"   {code}: " in tour
    assert code in ReasonCode.__members__


def test_challenge_header_and_step_up(tour: str) -> None:
    """The challenge shows its WWW-Authenticate value; the step-up turns it into an
    allow with the user's own security key."""
    assert '   WWW-Authenticate: Bearer realm="", ' in tour
    assert 'error="insufficient_claims", claims="eyJ' in tour
    step_up = tour.split("3. ")[1].split("\n\n")[0]
    assert "ALLOW: microsoft.directory/conditionalAccessPolicies/create for Alice Admin" \
        in step_up
    assert "after simulate_step_up() added a fresh sign-in with fido2" in step_up


def test_lint_summary_and_lockout_verdict(tour: str) -> None:
    """The tour ends with the lint counts, the errors, and the lockout verdict."""
    assert "\nLint: 3 findings: 1 error, 1 warning, 1 info\n   PA120 " in tour
    assert "\nLockout: 2 permissions locked out, 0 critical, emergency accounts safe\n" in tour
    assert "   critical: none (Conditional Access stays repairable)\n" in tour
    assert tour.count("   emergency account ") == 2


def test_steps_cover_allow_challenge_and_each_deny() -> None:
    """The steps are the ones described: sessions exist, one step-up."""
    assert sum(step.step_up for step in STEPS) == 1
    assert len({(s.session, s.target, s.step_up) for s in STEPS}) == len(STEPS)


def test_replay_commands_give_the_shown_outcome(tour: str) -> None:
    """Each ``$`` line of the tour gives the outcome the tour shows for that step."""
    statuses = {"ALLOW": EXIT_OK, "CHALLENGE": EXIT_CHALLENGE, "DENY": EXIT_DENY}
    replayed = 0
    for block in tour.split("\n\n"):
        command = re.search(r"^   \$ protected-actions (.+)$", block, re.M)
        outcome = re.search(r"^   (ALLOW|CHALLENGE|DENY): ", block, re.M)
        if command is None or outcome is None:
            continue
        result = invoke(*shlex.split(command[1]))
        assert result.status == statuses[outcome[1]], command[1]
        assert result.out.startswith(outcome[1] + ": ")
        replayed += 1
    assert replayed == len(STEPS) - 1
