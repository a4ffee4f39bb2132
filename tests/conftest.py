"""Hypothesis profiles for the property suite.

``quick`` (the default) keeps a local run to seconds; ``ci`` runs several times
as many examples and is selected with ``HYPOTHESIS_PROFILE=ci``. Neither profile
has a deadline (the first evaluation of a tenant compiles it) or writes an
example database into the working tree.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("quick", max_examples=40, deadline=None, database=None)
settings.register_profile("ci", max_examples=200, deadline=None, database=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
