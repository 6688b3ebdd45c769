"""``%labelstudio label | open``: the inline editor and the full web UI of the current server."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

import ls_notebook as lsn
from ls_notebook.magics._parser import MagicArgumentParser

_label = MagicArgumentParser("label", "Label a project's tasks in the notebook with Label Studio's editor.")
_label.add_argument("--project", default=None, help="project title (quote titles with spaces)")
_label.add_argument("--id", type=int, default=None, help="project id instead of the title")
_label.add_argument("--annotator", default=None, help="e-mail of the user to label as (default: you)")
_label.add_argument("--unlabeled", action="store_true", help="only tasks the annotator has not labeled")
_label.add_argument("--order", choices=["queue", "uncertainty", "id"], default=None, help="task order")
_label.add_argument("--height", type=int, default=None, help="editor height in pixels")

_open = MagicArgumentParser("open", "Show the Label Studio web UI (a project, a task, or the project list).")
_open.add_argument("--project", default=None, help="project title (default: the project list)")
_open.add_argument("--id", type=int, default=None, help="project id instead of the title")
_open.add_argument("--task", type=int, default=None, help="open this task's labeling page")
_open.add_argument("--height", type=int, default=None, help="frame height in pixels")


def _project(title: str | None, project_id: int | None) -> lsn.Project | None:
    if title is None and project_id is None:
        return None
    return lsn.current().project(title, id=project_id)


def label(line: str, cell: str | None, shell: Any) -> Any:
    args = _label.parse_line(line)
    project = _project(args.project, args.id)
    if project is None:
        raise UsageError("%labelstudio label: name the project with --project TITLE or --id ID.")
    # Options the line does not set keep Project.label's defaults (defined there only).
    options = {k: v for k, v in {"order": args.order, "height": args.height}.items() if v is not None}
    return project.label(tasks="unlabeled" if args.unlabeled else None, annotator=args.annotator, **options)


def open_ui(line: str, cell: str | None, shell: Any) -> Any:
    args = _open.parse_line(line)
    project = _project(args.project, args.id)
    if project is None and args.task is not None:
        raise UsageError("%labelstudio open: --task needs --project or --id.")
    options = {"height": args.height} if args.height is not None else {}  # else Server/Project.open's
    if project is None:
        return lsn.current().open(**options)
    return project.open(task=args.task, **options)


COMMANDS = {
    "label": (label, _label),
    "open": (open_ui, _open),
}
