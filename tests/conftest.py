"""Hypothesis profiles for the property suite.

``quick`` (the default) keeps a local run to seconds and is derandomized: every
run draws the same examples, so a first ``pytest`` in a fresh clone is green
whenever the suite is. ``ci`` (``HYPOTHESIS_PROFILE=ci``) runs several times as
many examples from a fresh seed each run, so CI keeps exploring; ``fuzz``
(``HYPOTHESIS_PROFILE=fuzz``) is the long campaign for the metamorphic fuzz
property (``tests/test_fuzz.py``). No profile has a deadline (the first
evaluation of a tenant compiles it) or writes an example database into the
working tree.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("quick", max_examples=40, deadline=None, database=None,
                          derandomize=True)
settings.register_profile("ci", max_examples=200, deadline=None, database=None,
                          print_blob=True)
settings.register_profile("fuzz", max_examples=20_000, deadline=None, database=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
