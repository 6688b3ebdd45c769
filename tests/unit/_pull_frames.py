"""Build pulled frames from task JSON through the real flattening code (the schema contract)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ls_notebook.annotations import tasks_to_table, to_long

USERS = {1: "ann@x.org", 2: "bob@x.org", 3: "cat@x.org", 4: "dan@x.org"}


def item(
    from_name: str, rtype: str, value: dict[str, Any], to_name: str = "obj", rid: str | None = None
) -> dict:
    out = {"from_name": from_name, "to_name": to_name, "type": rtype, "value": value}
    if rid is not None:
        out["id"] = rid
    return out


def choice(label: str | list[str], name: str = "sentiment") -> dict:
    labels = label if isinstance(label, list) else [label]
    return item(name, "choices", {"choices": labels})


def span(start: int, end: int, label: str, name: str = "ner") -> dict:
    return item(name, "labels", {"start": start, "end": end, "labels": [label]})


def box(
    x: float, y: float, w: float, h: float, label: str, name: str = "bbox", rotation: float = 0.0
) -> dict:
    value = {"x": x, "y": y, "width": w, "height": h, "rotation": rotation, "rectanglelabels": [label]}
    return item(name, "rectanglelabels", value)


def frame(
    annotations: dict[int, dict[int, list[dict]]], cancelled: set[tuple[int, int]] = frozenset()
) -> pd.DataFrame:
    """``{task_id: {user_id: [result items]}}`` → the long Arrow-backed frame of ``Project.pull()``."""
    tasks, ann_id = [], 0
    for task_id, by_user in annotations.items():
        anns = []
        for user, result in by_user.items():
            ann_id += 1
            anns.append(
                {
                    "id": ann_id,
                    "completed_by": user,
                    "result": result,
                    "was_cancelled": (task_id, user) in cancelled,
                    "created_at": "2024-01-01T00:00:00Z",
                    "updated_at": "2024-01-01T00:00:00Z",
                }
            )
        tasks.append({"id": task_id, "data": {"text": f"task {task_id}"}, "annotations": anns})
    return to_long(tasks_to_table(tasks, USERS))
