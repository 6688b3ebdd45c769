"""Fixtures of the server tests live in ``tests/conftest.py`` (shared with the reliability suite).

``template_dir`` is re-exported for conftests that import it from here (it is idempotent, so a second
registration reuses the same initialised folder); ``server`` and ``fresh_data_dir`` come from the
root conftest.
"""

from __future__ import annotations

from tests.conftest import START_TIMEOUT, template_dir, unique_title

__all__ = ["START_TIMEOUT", "template_dir", "unique_title"]
