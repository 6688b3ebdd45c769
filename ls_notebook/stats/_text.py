"""Free-text answers (text areas): normalisation and pairwise similarity."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

__all__ = ["normalize_text", "pair_similarity"]

_SPACE = re.compile(r"\s+")


def normalize_text(s: pd.Series) -> pd.Series:
    """Case-folded, whitespace-collapsed, stripped text (what "exact match" compares).

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook.stats._text import normalize_text
    >>> normalize_text(pd.Series(["  Hello\\n World ", "hello world"])).tolist()
    ['hello world', 'hello world']
    """
    return s.astype("string").str.casefold().str.replace(_SPACE, " ", regex=True).str.strip()


def pair_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``difflib`` ratio (2·matches / total length, in [0, 1]) for aligned arrays of strings.

    One call per text pair: text areas are few per task, and no vectorized edit distance ships with
    the standard library.
    """
    return np.fromiter(
        (difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() for x, y in zip(a, b, strict=True)),
        dtype=np.float64,
        count=len(a),
    )
