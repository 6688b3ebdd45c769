"""The HTML of the package's ``_repr_html_`` cards: one table of facts, written once."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["facts_table"]


def facts_table(rows: Iterable[tuple[str, str]], css_class: str, caption: str | None = None) -> str:
    """A two-column table: each row a label and its value (HTML the caller has escaped).

    Examples
    --------
    >>> facts_table([("Tasks", "3")], "lsn-project")
    "<table class='lsn-project'><tr><th style='text-align:left'>Tasks</th><td>3</td></tr></table>"
    """
    body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    head = f"<caption>{caption}</caption>" if caption else ""
    return f"<table class='{css_class}'>{head}{body}</table>"
