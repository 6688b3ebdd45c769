"""The kernel's model as a Label Studio ML backend, called by a real Label Studio server."""

from __future__ import annotations

import threading

import httpx
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import ls_notebook as lsn
from ls_notebook.model import ModelServer
from tests._support import unique_title, wait_for

pytestmark = pytest.mark.server

TEXTS = ["great movie", "awful film", "really great", "awful and boring", "great fun", "boring plot"]
LABELS = ["pos", "neg", "pos", "neg", "pos", "neg"]


def _pipeline() -> object:
    return make_pipeline(CountVectorizer(), LogisticRegression()).fit(TEXTS, LABELS)


@pytest.fixture
def project(server: lsn.Server) -> lsn.Project:
    project = server.project(unique_title("model"), lsn.configs.text_classification(["pos", "neg"]))
    project.push(pd.DataFrame({"text": ["a great day", "boring and awful", "great great"]}), progress=False)
    return project


def _task_ids(project: lsn.Project) -> list[int]:
    return sorted(t.id for t in project.server.client.tasks.list(project=project.id))


def _predictions(project: lsn.Project, task_id: int) -> list[dict]:
    response = httpx.get(
        f"{project.server.url}/api/predictions",
        params={"task": task_id},
        headers=project.server.connection.headers(),
        trust_env=False,
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


def _open_task(project: lsn.Project, task_id: int) -> dict:
    """GET the task as the labeling UI does when it opens it (the server asks the ML backend)."""
    return project.server.client.tasks.get(id=task_id).dict()


def _backends(project: lsn.Project) -> list:
    return list(project.server.client.ml.list(project=project.id))


def test_opening_a_task_asks_the_kernel_model(project: lsn.Project) -> None:
    with project.serve_model(_pipeline()) as ms:
        assert isinstance(ms, ModelServer)
        assert ms.url.startswith("http://127.0.0.1:")
        [backend] = _backends(project)
        assert backend.url == ms.url
        assert backend.state == "CO"  # connected: /health and /setup answered
        first = _task_ids(project)[0]
        task = _open_task(project, first)
        [prediction] = task["predictions"]
        assert prediction["model_version"] == "v1"
        assert prediction["result"][0]["value"] == {"choices": ["pos"]}
        assert 0.5 < prediction["score"] <= 1.0
        assert ms.predictions_served >= 1


def test_retrieve_predicts_every_task_once_per_version(project: lsn.Project) -> None:
    with project.serve_model(_pipeline(), model_version="m7") as ms:
        assert ms.retrieve() == 3
        ids = _task_ids(project)
        got = {tid: _predictions(project, tid) for tid in ids}
        assert all(len(p) == 1 and p[0]["model_version"] == "m7" for p in got.values())
        labels = [got[tid][0]["result"][0]["value"]["choices"][0] for tid in ids]
        assert labels == ["pos", "neg", "pos"]
        ms.retrieve()  # same version: nothing new
        assert all(len(_predictions(project, tid)) == 1 for tid in ids)
        assert project.server.client.projects.get(id=project.id).model_version == "m7"


def test_callable_model_with_simple_forms(server: lsn.Server) -> None:
    project = server.project(unique_title("spans"), lsn.configs.ner(["PER"]))
    project.push(pd.DataFrame({"text": ["Ann runs", "Bob sleeps"]}), progress=False)

    def spans(texts: list[str]) -> list:
        return [{"result": [(0, 3, "PER")], "score": 0.5} for _ in texts]

    with project.serve_model(spans):
        [pred] = _open_task(project, _task_ids(project)[1])["predictions"]
        assert pred["result"][0]["value"] == {"start": 0, "end": 3, "labels": ["PER"], "text": "Bob"}
        assert pred["score"] == 0.5


def test_webhook_trains_after_annotations(project: lsn.Project) -> None:
    seen: list[pd.DataFrame] = []
    called = threading.Event()
    model = _pipeline()

    def train(new_labels: pd.DataFrame) -> None:
        assert threading.current_thread() is not threading.main_thread()
        seen.append(new_labels)
        called.set()

    with project.serve_model(model, train=train) as ms:
        ids = _task_ids(project)
        result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["neg"]}}]
        project.server.client.annotations.create(id=ids[0], result=result)
        assert called.wait(120), f"train was not called; errors: {ms.errors}"
        assert ms.wait(120)
        assert ms.model_version == "v2"
        assert len(seen) == 1 and seen[0]["label"].tolist() == ["neg"]
        assert seen[0]["task_id"].tolist() == [ids[0]]
        assert project.server.client.projects.get(id=project.id).model_version == "v2"
        # a second annotation: train gets only the new label
        project.server.client.annotations.create(id=ids[1], result=result)
        wait_for(lambda: len(seen) >= 2, 120, every=0.2)
        assert ms.wait(120)
        assert [len(f) for f in seen] == [1, 1] and seen[1]["task_id"].tolist() == [ids[1]]
        assert ms.model_version == "v3"
        assert ms.history["model_version"].tolist() == ["v1", "v2", "v3"]
        # the new version predicts for tasks opened now
        opened = _open_task(project, ids[2])
        assert [p["model_version"] for p in opened["predictions"]] == ["v3"]


def test_train_may_return_a_new_model(project: lsn.Project) -> None:
    def train(new_labels: pd.DataFrame) -> object:
        return lambda texts: ["neg" for _ in texts]

    with project.serve_model(lambda texts: ["pos" for _ in texts], train=train) as ms:
        ms.train_now()  # as if annotations had arrived: nothing labeled yet, so no round
        assert ms.wait(120)
        assert ms.model_version == "v1"
        ids = _task_ids(project)
        result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}]
        project.server.client.annotations.create(id=ids[0], result=result)
        wait_for(lambda: ms.model_version != "v1", 120, every=0.2)
        assert ms.wait(120)
        assert ms.model_version == "v2"
        [pred] = _open_task(project, ids[1])["predictions"]
        assert pred["result"][0]["value"] == {"choices": ["neg"]}


def test_model_errors_are_reported_not_raised(project: lsn.Project) -> None:
    def broken(texts: list[str]) -> list[str]:
        raise ValueError("vocabulary not fitted")

    with project.serve_model(broken) as ms:
        task = _open_task(project, _task_ids(project)[0])  # the server still answers
        assert task["predictions"] == []
        assert any("vocabulary not fitted" in e for e in ms.errors)
        response = httpx.post(
            f"{ms.url}/predict",
            json={"tasks": [{"id": 1, "data": {"text": "x"}}], "label_config": project.config},
            trust_env=False,
            timeout=60,
        )
        assert response.status_code == 500
        assert "broken failed on tasks [1]: ValueError: vocabulary not fitted" in response.json()["error"]
        assert httpx.get(f"{ms.url}/health", trust_env=False, timeout=30).json()["status"] == "UP"


def test_wrong_number_of_predictions_is_a_clear_error(project: lsn.Project) -> None:
    with project.serve_model(lambda texts: ["pos"]) as ms:
        response = httpx.post(
            f"{ms.url}/predict",
            json={"tasks": [{"id": 1, "data": {"text": "a"}}, {"id": 2, "data": {"text": "b"}}]},
            trust_env=False,
            timeout=60,
        )
        assert response.status_code == 500
        assert "returned 1 predictions for 2 tasks" in response.json()["error"]


def test_stop_unregisters_backend_and_webhook(project: lsn.Project) -> None:
    ms = project.serve_model(_pipeline())
    url = ms.url
    hooks = [w.url for w in project.server.client.webhooks.list(project=str(project.id))]
    assert f"{url}/webhook" in hooks
    ms.stop()
    assert not ms.running
    assert _backends(project) == []
    hooks = [w.url for w in project.server.client.webhooks.list(project=str(project.id))]
    assert f"{url}/webhook" not in hooks
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/health", trust_env=False, timeout=5)
    ms.stop()  # idempotent


def test_dead_backend_of_a_restarted_kernel_is_replaced(project: lsn.Project) -> None:
    dead = project.serve_model(_pipeline())
    dead_url = dead.url
    dead._backend.stop()  # the kernel died: nothing answers, the registration stays
    dead.backend_id = None
    assert [b.url for b in _backends(project)] == [dead_url]
    with project.serve_model(_pipeline()) as ms:
        assert [b.url for b in _backends(project)] == [ms.url]
        hooks = [w.url for w in project.server.client.webhooks.list(project=str(project.id))]
        assert f"{dead_url}/webhook" not in hooks
        # serving again from the same kernel replaces the live one too
        again = project.serve_model(_pipeline())
        assert not ms.running
        assert [b.url for b in _backends(project)] == [again.url]
        again.stop()
    assert _backends(project) == []


def test_inline_editor_gets_the_models_preannotation(project: lsn.Project) -> None:
    """The kernel side of the inline widget opens a task: the server asks the kernel's model."""
    from ls_notebook.loop._labeling import LabelingSession

    with project.serve_model(_pipeline(), model_version="pre-1"):
        session = LabelingSession(project._ref, order="id")
        message, _ = session.message()
        [prediction] = message["task"]["predictions"]
        assert prediction["model_version"] == "pre-1"
        assert prediction["result"][0]["value"] == {"choices": ["pos"]}
        assert prediction["score"] > 0.5
