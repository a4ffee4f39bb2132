"""Tests of the testing package: scenario files, assertion helpers, the pytest plugin
and the CA-as-code example repository's CI commands."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ca-as-code"
"""The example repository laid out like the real ones."""
