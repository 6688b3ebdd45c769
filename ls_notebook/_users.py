"""``User``: a Label Studio user as the package hands it out (its key hidden from ``repr``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    """A Label Studio user. ``api_key`` is hidden from ``repr``; use it only to authenticate.

    Get one from :meth:`Server.create_user`. Wherever an annotator is asked for, a ``User`` or its
    e-mail is accepted.

    Examples
    --------
    >>> User(id=2, email="ann@example.org", api_key="secret")
    User(id=2, email='ann@example.org')
    """

    id: int
    email: str
    api_key: str | None = field(default=None, repr=False)
