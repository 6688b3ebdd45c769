"""``%labelstudio agreement``: pull a project and show its inter-annotator agreement report."""

from __future__ import annotations

from typing import Any

import ls_notebook as lsn
from ls_notebook.magics._parser import MagicArgumentParser

_agreement = MagicArgumentParser("agreement", "Pull a project and show its inter-annotator agreement.")
_agreement.add_argument("--project", required=True, help="project title")
_agreement.add_argument("--from-name", default=None, help="only this control tag")
_agreement.add_argument("--iou", type=float, default=0.5, help="IoU threshold for matching regions")
_agreement.add_argument(
    "--mode", choices=("strict", "exact", "partial", "type"), default="strict", help="span matching mode"
)
_agreement.add_argument("-o", "--output", default=None, help="store the report in this variable")


def agreement(line: str, cell: str | None, shell: Any) -> Any:
    args = _agreement.parse_line(line)
    frame = lsn.current().project(args.project).pull()
    report = lsn.agreement(frame, from_name=args.from_name, iou=args.iou, mode=args.mode)
    if args.output:
        shell.user_ns[args.output] = report
    return report


COMMANDS = {"agreement": (agreement, _agreement)}
