"""%labelstudio push / pull / export and %%labelstudio config through a real IPython shell."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import ls_notebook as lsn
from tests.server.conftest import unique_title

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
