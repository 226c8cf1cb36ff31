"""The test tree's own rules: pytest imports test modules by basename (no packages)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_test_module_names_are_unique():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert not [n for n, c in names.items() if c > 1], "rename the duplicated test modules"


def test_no_init_files_in_tests():
    assert not list(TESTS.rglob("__init__.py"))
