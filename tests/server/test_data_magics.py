"""%labelstudio push / pull / export and %%labelstudio config through a real IPython shell."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import ls_notebook as lsn
from tests._support import unique_title

pytestmark = pytest.mark.server


@pytest.fixture
def shell(server: lsn.Server) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "ls_notebook")
    ip.run_line_magic("labelstudio", f"start --data-dir {server.data_dir}")
    yield ip


def test_config_push_pull_export(shell: InteractiveShell, server: lsn.Server, tmp_path) -> None:
    title = unique_title("magic")
    project = shell.run_cell_magic(
        "labelstudio", f"config {title}", lsn.configs.text_classification(["a", "b"])
    )
    assert project.title == title
    shell.user_ns["reviews"] = pd.DataFrame({"text": ["one", "two"], "id": [1, 2]})
    pushed = shell.run_line_magic("labelstudio", f"push reviews --project '{title}' --key id")
    assert pushed.created == 2
    again = shell.run_line_magic("labelstudio", f"push reviews --project '{title}' --key id")
    assert (again.created, again.skipped) == (0, 2)
    server.client.annotations.create(
        id=int(pushed.task_ids.iloc[0]),
        result=[{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["b"]}}],
    )
    shell.run_line_magic("labelstudio", f"pull --project '{title}' -o labels")
    assert shell.user_ns["labels"]["label"].tolist() == ["b"]
    path = shell.run_line_magic(
        "labelstudio", f"export {tmp_path / 'out.csv'} --project '{title}' --format CSV"
    )
    assert path.read_text().count("\n") >= 2


def test_usage_errors(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="No variable 'nothing'"):
        shell.run_line_magic("labelstudio", "push nothing --project whatever")
    with pytest.raises(UsageError, match="Invalid label config"):
        shell.run_cell_magic("labelstudio", f"config {unique_title('bad')}", "<View><Text name='t'></View>")


def test_agreement_magic(shell: InteractiveShell, server: lsn.Server) -> None:
    title = unique_title("agree")
    project = server.project(title, config=lsn.configs.text_classification(["pos", "neg"]))
    pushed = project.push(pd.DataFrame({"text": ["a", "b", "c", "d"]}), progress=False)
    votes = {"ann": ["pos", "neg", "pos", "neg"], "bob": ["pos", "neg", "neg", "neg"]}
    for name, labels in votes.items():
        annotator = server.as_user(server.create_user(f"{name}-{title.split()[-1]}@example.com"))
        for task_id, label in zip(pushed.task_ids, labels, strict=True):
            annotator.client.annotations.create(
                id=int(task_id),
                result=[
                    {
                        "from_name": "label",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": [label]},
                    }
                ],
            )
    report = shell.run_line_magic("labelstudio", f"agreement --project '{title}' -o rep")
    assert shell.user_ns["rep"] is report
    row = report.summary.iloc[0]
    assert (row["n_tasks"], row["n_annotators"], row["n_annotations"]) == (4, 2, 8)
    assert row["percent_agreement"] == pytest.approx(0.75)
    assert row["cohen_kappa"] == pytest.approx(0.5)
    assert "percent_agreement" in report._repr_html_() or "0.75" in report._repr_html_()
    with pytest.raises(UsageError, match="--project"):
        shell.run_line_magic("labelstudio", "agreement")
