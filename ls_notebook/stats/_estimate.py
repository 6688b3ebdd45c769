"""The value type every metric returns: a float that also carries its uncertainty and caveats."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["Estimate"]


def _rebuild(value: float, state: dict[str, Any]) -> Estimate:
    est = Estimate(value)
    est.__dict__.update(state)
    return est


class Estimate(float):
    """A statistic: a ``float`` with its standard error, confidence interval and an explanation.

    It compares, sorts and formats like the plain number it is, so ``alpha > 0.8`` works. An undefined
    statistic (for example κ when every rating falls in one category) is ``nan`` and ``explanation``
    says why, instead of a warning or an exception.

    Attributes
    ----------
    se : float
        Standard error (analytic where the metric has one, else from the bootstrap; ``nan`` if neither).
    ci : tuple of float or None
        ``(low, high)`` percentile bootstrap interval over units, when ``ci=`` was asked for.
    ci_level : float or None
        The confidence level of ``ci`` (e.g. 0.95).
    n_units : int
        Units that entered the statistic.
    n_raters : int
        Distinct raters seen.
    explanation : str
        Why the value is ``nan`` (empty when it is defined), or a note about how it was computed.

    Examples
    --------
    >>> from ls_notebook.stats import Estimate
    >>> e = Estimate(0.5, se=0.1, n_units=10)
    >>> e > 0.4, round(e.se, 2)
    (True, 0.1)
    """

    se: float
    ci: tuple[float, float] | None
    ci_level: float | None
    n_units: int
    n_raters: int
    explanation: str

    def __new__(
        cls,
        value: float,
        *,
        se: float = math.nan,
        ci: tuple[float, float] | None = None,
        ci_level: float | None = None,
        n_units: int = 0,
        n_raters: int = 0,
        explanation: str = "",
    ) -> Estimate:
        self = super().__new__(cls, value)
        self.se = float(se)
        self.ci = None if ci is None else (float(ci[0]), float(ci[1]))
        self.ci_level = ci_level
        self.n_units = int(n_units)
        self.n_raters = int(n_raters)
        self.explanation = explanation
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (float(self), dict(self.__dict__)))

    @property
    def value(self) -> float:
        """The plain ``float``."""
        return float(self)

    def __repr__(self) -> str:
        parts = [f"{float(self):.4g}"]
        if not math.isnan(self.se):
            parts.append(f"se={self.se:.4g}")
        if self.ci is not None:
            parts.append(f"ci=({self.ci[0]:.4g}, {self.ci[1]:.4g})")
        if self.n_units:
            parts.append(f"n_units={self.n_units}")
        if self.explanation:
            parts.append(f"explanation={self.explanation!r}")
        return f"Estimate({', '.join(parts)})"

    __str__ = __repr__
