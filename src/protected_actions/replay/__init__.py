"""Replay exported sign-in logs through the engine: agreement with what Entra
recorded, and the impact of a proposed tenant (DESIGN section 10).

>>> import protected_actions as pa
>>> from protected_actions.samples import sample_tenant, sample_sign_ins
>>> report = pa.replay.replay(sample_tenant(), pa.replay.read_sign_ins(sample_sign_ins()))
>>> report.disagree
0
"""

from __future__ import annotations

from .parse import RecordError
from .read import read_sign_ins
from .records import RecordedPolicy, SignIn, Unreadable
from .reports import AgreementReport, ImpactReport, PolicyAgreement
from .run import impact, replay

__all__ = [
    "AgreementReport",
    "ImpactReport",
    "PolicyAgreement",
    "RecordError",
    "RecordedPolicy",
    "SignIn",
    "Unreadable",
    "impact",
    "read_sign_ins",
    "replay",
]


def __dir__() -> list[str]:
    return __all__
