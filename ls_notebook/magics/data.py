"""``%labelstudio push | pull | export`` and ``%%labelstudio config``: the DataFrame round trip."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

import ls_notebook as lsn
from ls_notebook.magics._parser import MagicArgumentParser

_push = MagicArgumentParser("push", "Push a DataFrame's rows as tasks (rows already pushed are skipped).")
_push.add_argument("df", help="name of a DataFrame in the notebook")
_push.add_argument("--project", required=True, help="project title")
_push.add_argument("--key", default=None, help="column identifying rows (default: the index)")
_push.add_argument("--predictions", default=None, help="column holding predictions")
_push.add_argument("--model-version", default=None, help="model version stored with the predictions")
_push.add_argument("--update", action="store_true", help="replace the data of rows already pushed")

_pull = MagicArgumentParser("pull", "Pull a project's annotations as a DataFrame.")
_pull.add_argument("--project", required=True, help="project title")
_pull.add_argument("-o", "--output", default=None, help="store the DataFrame in this variable")
_pull.add_argument("--shape", choices=("long", "wide"), default="long")
_pull.add_argument("--predictions", action="store_true", help="include predictions")

_export = MagicArgumentParser("export", "Download a project in one of Label Studio's export formats.")
_export.add_argument("path", help="file to write")
_export.add_argument("--project", required=True, help="project title")
_export.add_argument("--format", default=None, help="JSON (default), JSON_MIN, CSV, COCO, YOLO, ...")

_config = MagicArgumentParser(
    "config", "Cell magic: create the project TITLE with the cell's label config, or update its config."
)
_config.add_argument("title", nargs="+", help="project title")


def _frame(shell: Any, name: str) -> Any:
    from ls_notebook.tasks import is_frame

    if name not in shell.user_ns:
        raise UsageError(f"No variable {name!r} in the notebook: pass the name of a DataFrame.")
    df = shell.user_ns[name]
    if not is_frame(df):
        raise UsageError(
            f"{name!r} is a {type(df).__name__}, not a DataFrame (pandas, polars, pyarrow Table...)."
        )
    return df


def push(line: str, cell: str | None, shell: Any) -> lsn.PushResult:
    args = _push.parse_line(line)
    df = _frame(shell, args.df)
    project = lsn.current().project(args.project)
    return project.push(
        df,
        key=args.key,
        predictions=args.predictions,
        model_version=args.model_version,
        update=args.update,
    )


def pull(line: str, cell: str | None, shell: Any) -> Any:
    args = _pull.parse_line(line)
    df = lsn.current().project(args.project).pull(shape=args.shape, include_predictions=args.predictions)
    if args.output:
        shell.user_ns[args.output] = df
        return None
    return df


def export(line: str, cell: str | None, shell: Any) -> Any:
    args = _export.parse_line(line)
    options = {"format": args.format} if args.format else {}  # the default is Project.export's
    return lsn.current().project(args.project).export(args.path, **options)


def config(line: str, cell: str | None, shell: Any) -> lsn.Project:
    args = _config.parse_line(line)
    if not cell or not cell.strip():
        raise UsageError("%%labelstudio config TITLE is a cell magic: put the label config XML in the cell.")
    xml = lsn.configs.validate(cell.strip())
    return lsn.current().project(" ".join(args.title), xml, update=True)


COMMANDS = {
    "push": (push, _push),
    "pull": (pull, _pull),
    "export": (export, _export),
    "config": (config, _config),
}
