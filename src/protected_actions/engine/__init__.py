"""The engine: compile a tenant into an index once, then decide allow, challenge or
deny for a session and an action (or a sign-in target), with the explanation.

``compile`` builds the index, ``conditions`` and ``grant`` decide one policy,
``plans`` remembers what repeats, ``evaluator`` combines, ``decision`` holds the
answer, ``explain`` renders it as text and ``step_up`` simulates doing what a
challenge asks. The engine is a pure function of its inputs: no clock, no I/O.
"""

from __future__ import annotations

from .decision import Challenge, Decision, Outcome, PolicyResult, Reason, ReasonCode
from .evaluator import evaluate, evaluate_sign_in
from .step_up import simulate_step_up

__all__ = [
    "Challenge",
    "Decision",
    "Outcome",
    "PolicyResult",
    "Reason",
    "ReasonCode",
    "evaluate",
    "evaluate_sign_in",
    "simulate_step_up",
]


def __dir__() -> list[str]:
    return __all__
