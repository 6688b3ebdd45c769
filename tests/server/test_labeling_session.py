"""The kernel side of ``Project.label()``: which tasks a widget session holds, and in what order.

The browser tests (``tests/browser``) drive the editor; these check the task selection that the
widget's ``tasks=`` and ``order=`` arguments promise, against a real server.
"""

from __future__ import annotations

import pandas as pd
import pytest

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.errors import LabelStudioError
from tests._support import unique_title

pytestmark = pytest.mark.server


def choice(label: str) -> list[dict]:
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [label]}}]


@pytest.fixture
def project(server: lsn.Server) -> lsn.Project:
    project = server.project(unique_title("session"), configs.text_classification(["pos", "neg"]))
    df = pd.DataFrame({"text": [f"t{i}" for i in range(5)], "k": [f"k{i}" for i in range(5)]})
    project.push(df, key="k", predictions=["pos", "neg", "pos", "neg", "pos"], progress=False)
    return project


def ids(project: lsn.Project) -> list[int]:
    pulled = project.pull(include_unannotated=True, source="api", progress=False)
    return sorted(int(t) for t in pulled["task_id"].unique())


def test_task_selection(server: lsn.Server, project: lsn.Project) -> None:
    all_ids = ids(project)
    server.client.annotations.create(id=all_ids[1], result=choice("pos"))
    server.client.annotations.create(id=all_ids[3], result=choice("neg"))

    everything = project.label()
    assert everything.session.task_ids == all_ids
    assert everything.session.index == 0  # queue order starts at the first unlabeled task
    assert everything.session.labeled == {all_ids[1], all_ids[3]}

    unlabeled = project.label(tasks="unlabeled")
    assert unlabeled.session.task_ids == [all_ids[0], all_ids[2], all_ids[4]]

    chosen = project.label(tasks=[all_ids[4], all_ids[2]])
    assert chosen.session.task_ids == [all_ids[4], all_ids[2]]  # the caller's order is kept

    pulled = project.pull(progress=False)  # a DataFrame slice: its task_id column
    by_frame = project.label(tasks=pulled)
    assert by_frame.session.task_ids == [all_ids[1], all_ids[3]]
    by_index = project.label(tasks=pulled.set_index("task_id"))
    assert by_index.session.task_ids == [all_ids[1], all_ids[3]]

    for widget in (everything, unlabeled, chosen, by_frame, by_index):
        widget.close()


def test_bad_task_selection_is_explained(project: lsn.Project) -> None:
    with pytest.raises(ValueError, match="'unlabeled'"):
        project.label(tasks="unlabelled")
    with pytest.raises(ValueError, match="task_id"):
        project.label(tasks=pd.DataFrame({"x": [1]}))
    with pytest.raises(LabelStudioError, match="not in project"):
        project.label(tasks=[10**9])


def test_annotator_and_submit_skip_update(server: lsn.Server, project: lsn.Project) -> None:
    user = server.create_user(f"{unique_title('ann').replace(' ', '-')}@example.org")
    widget = project.label(annotator=user.email, order="id")
    session = widget.session
    first = session.task_ids[0]
    task = session.task(first)
    assert [p["result"][0]["value"]["choices"] for p in task["predictions"]] == [["pos"]]
    annotation_id = session.submit(first, choice("neg"), lead_time=1.25)
    stored = server.client.annotations.get(id=annotation_id)
    assert stored.completed_by == user.id and stored.result[0]["value"]["choices"] == ["neg"]
    assert session.advance() and session.task_ids[session.index] == session.task_ids[1]
    session.update(annotation_id, choice("pos"))
    assert server.client.annotations.get(id=annotation_id).result[0]["value"]["choices"] == ["pos"]
    assert session.task(first)["annotations"][0]["id"] == annotation_id  # shown again for review
    skipped = session.skip(session.task_ids[1])
    assert server.client.annotations.get(id=skipped).was_cancelled
    with pytest.raises(LabelStudioError, match="create_user"):
        project.label(annotator="nobody@example.org")
    widget.close()
