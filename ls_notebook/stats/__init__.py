"""Inter-rater reliability, region matching and consensus, vectorized with numpy.

Every metric takes a long frame (unit, rater, value), a raters × units matrix with missing values,
or prepared :class:`Ratings`, and returns an :class:`Estimate` (a float with ``se``, ``ci`` and an
``explanation`` when undefined).
"""

from __future__ import annotations

from ls_notebook.stats._alpha import krippendorff_alpha
from ls_notebook.stats._dawid_skene import DawidSkene, MajorityVote
from ls_notebook.stats._estimate import Estimate
from ls_notebook.stats._gwet import brennan_prediger, gwet_ac1, gwet_ac2, percent_agreement
from ls_notebook.stats._kappa import cohen_kappa, fleiss_kappa, scotts_pi
from ls_notebook.stats._matrix import Ratings, as_ratings
from ls_notebook.stats._report import AgreementReport
from ls_notebook.stats.agreement import agreement
from ls_notebook.stats.consensus import consensus

__all__ = [
    "AgreementReport",
    "DawidSkene",
    "Estimate",
    "MajorityVote",
    "Ratings",
    "agreement",
    "as_ratings",
    "brennan_prediger",
    "cohen_kappa",
    "consensus",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "krippendorff_alpha",
    "percent_agreement",
    "scotts_pi",
]
