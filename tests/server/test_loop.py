"""The continuous labeling loop against a real server: sync, prelabel, uncertainty queues, watch."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.errors import ConfigError, DataError, ProjectError
from ls_notebook.loop._labeling import LabelingSession
from tests._support import unique_title

pytestmark = pytest.mark.server

POS = ["great film", "loved it", "wonderful acting", "great fun", "lovely story", "a wonderful ride"]
NEG = ["awful film", "hated it", "terrible acting", "boring mess", "awful story", "a terrible ride"]


def reviews(n: int) -> pd.DataFrame:
    texts = [t for pair in zip(POS, NEG, strict=True) for t in pair][:n]
    return pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": texts})


def choice(label: str) -> list[dict]:
    return [
        {
            "id": "c1",
            "from_name": "label",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [label]},
        }
    ]


def annotate(server: lsn.Server, task_id: int, label: str) -> None:
    server.client.annotations.create(id=task_id, result=choice(label), was_cancelled=False)


def model() -> object:
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(POS + NEG, ["pos"] * 6 + ["neg"] * 6)


@pytest.fixture
def project(server: lsn.Server) -> lsn.Project:
    return server.project(unique_title("loop"), config=configs.text_classification(["pos", "neg"]))


def test_sync_sends_only_new_rows(project: lsn.Project) -> None:
    first = project.sync(reviews(5), key="id", progress=False)
    assert list(first["id"]) == ["r0", "r1", "r2", "r3", "r4"]
    assert first["task_id"].notna().all()
    grown = project.sync(reviews(8), key="id", progress=False)
    assert list(grown["id"]) == ["r5", "r6", "r7"]
    assert set(grown["task_id"]).isdisjoint(set(first["task_id"]))
    again = project.sync(reviews(8), key="id", progress=False)
    assert len(again) == 0 and "task_id" in again.columns
    assert project.task_count == 8


def test_sync_keeps_predictions_aligned(project: lsn.Project) -> None:
    project.sync(reviews(2), key="id", progress=False)
    df = reviews(4)
    preds = pd.Series(["pos", "neg", "neg", "pos"], index=df.index)
    added = project.sync(df, key="id", predictions=preds, model_version="seed", progress=False)
    assert list(added["id"]) == ["r2", "r3"]
    table = project.pull(include_predictions=True, progress=False)
    got = dict(zip(table["key"], table["label"], strict=True))
    assert got == {"r2": "neg", "r3": "pos"}


def test_prelabel_with_a_scikit_learn_pipeline(project: lsn.Project) -> None:
    added = project.sync(reviews(6), key="id", progress=False)
    result = project.prelabel(model(), model_version="round-1", progress=False)
    assert (result.created, result.skipped, result.model_version) == (6, 0, "round-1")
    assert result.scores.between(0.5, 1.0).all() and list(result.scores.index) == list(added["task_id"])
    preds = project.pull(include_predictions=True, progress=False)
    assert set(preds["annotator"]) == {"model:round-1"}
    assert dict(zip(preds["key"], preds["label"], strict=True)) == {
        "r0": "pos", "r1": "neg", "r2": "pos", "r3": "neg", "r4": "pos", "r5": "neg"
    }  # fmt: skip
    again = project.prelabel(model(), model_version="round-1", progress=False)
    assert (again.created, again.skipped) == (0, 6)
    project.sync(reviews(8), key="id", progress=False)
    new = project.prelabel(model(), model_version="round-1", progress=False)
    assert (new.created, new.skipped) == (2, 6)


def test_prelabel_with_a_callable_and_rows(server: lsn.Server) -> None:
    project = server.project(unique_title("ner loop"), config=configs.ner(["GOOD", "BAD"]))
    added = project.sync(reviews(4), key="id", progress=False)

    def rules(texts: pd.Series) -> list:
        out = []
        for text in texts:
            spans = [(text.find(w), text.find(w) + len(w), "GOOD") for w in ("great", "loved") if w in text]
            out.append({"result": spans, "score": 0.5} if spans else None)
        return out

    result = project.prelabel(rules, tasks=added.iloc[:3], progress=False)
    assert (result.created, result.skipped, result.model_version) == (2, 1, "rules")
    spans = project.pull(include_predictions=True, progress=False)
    assert sorted(zip(spans["key"], spans["start"], spans["end"], spans["text"], strict=True)) == [
        ("r0", 0, 5, "great"),
        ("r2", 0, 5, "loved"),
    ]


def test_prelabel_errors_say_what_to_do(project: lsn.Project) -> None:
    project.sync(reviews(2), key="id", progress=False)
    with pytest.raises(DataError, match="not a model"):
        project.prelabel(42, progress=False)
    with pytest.raises(DataError, match="one per task"):
        project.prelabel(lambda texts: ["pos"], progress=False)
    with pytest.raises(ConfigError, match="does not fit"):
        project.prelabel(lambda texts: ["maybe"] * len(texts), progress=False)
    with pytest.raises(DataError, match="not in project"):
        project.prelabel(model(), tasks=[10**9], progress=False)
    assert project.pull(include_predictions=True, progress=False).empty


def test_queue_orders_by_uncertainty_and_feeds_the_editor(server: lsn.Server, project: lsn.Project) -> None:
    df = reviews(4)
    scores = [0.9, 0.6, 0.75, 0.55]
    preds = [{"result": lab, "score": s} for lab, s in zip(["pos", "neg", "pos", "neg"], scores, strict=True)]
    added = project.sync(df, key="id", predictions=preds, model_version="m1", progress=False)
    order = project.queue()
    assert list(order["key"]) == ["r3", "r1", "r2", "r0"]
    assert order["score"].round(2).tolist() == [0.55, 0.6, 0.75, 0.9]
    assert order["model_version"].unique().tolist() == ["m1"]
    annotate(server, int(added.loc[added["id"] == "r3", "task_id"].iloc[0]), "neg")
    after = project.queue()
    assert list(after["key"]) == ["r1", "r2", "r0"]
    assert len(project.queue(include_labeled=True)) == 4
    session = LabelingSession(project._ref, tasks=after["task_id"].tolist())
    assert session.task_ids == after["task_id"].tolist()
    # a newer model version becomes the default ordering
    project.prelabel(lambda texts: [{"result": "pos", "score": 0.99 - 0.1 * i} for i in range(len(texts))],
                     model_version="m2", progress=False)  # fmt: skip
    assert project.queue()["model_version"].unique().tolist() == ["m2"]


def test_label_studio_queue_uses_uncertainty_sampling(server: lsn.Server, project: lsn.Project) -> None:
    with pytest.raises(ProjectError, match="prelabel"):
        project.use_uncertainty_sampling()
    preds = [{"result": "pos", "score": s} for s in (0.9, 0.4, 0.7)]
    added = project.sync(reviews(3), key="id", predictions=preds, model_version="m1", progress=False)
    assert project.use_uncertainty_sampling() == "m1"
    data = project.refresh()._data or {}
    assert data["sampling"] == "Uncertainty sampling" and data["model_version"] == "m1"
    nxt = server.connection.request("GET", f"/api/projects/{project.id}/next", "next task")
    assert nxt["id"] == int(added["task_id"].iloc[1])
    project.use_uncertainty_sampling(enabled=False)
    assert (project.refresh()._data or {})["sampling"] == "Sequential sampling"


def test_watch_delivers_batches_of_new_annotations(server: lsn.Server, project: lsn.Project) -> None:
    added = project.sync(reviews(6), key="id", progress=False)
    ids = [int(t) for t in added["task_id"]]
    annotate(server, ids[0], "pos")  # already there: not "new"
    watcher = project.watch(min_new=2, interval=0.2, progress=False)
    assert watcher.poll() is None
    annotate(server, ids[1], "neg")
    assert watcher.poll() is None  # 1 < min_new
    annotate(server, ids[2], "pos")
    batch = watcher.poll()
    assert batch is not None and sorted(batch["task_id"]) == sorted(ids[1:3])
    assert (watcher.batches, watcher.delivered, batch.attrs["batch"]) == (1, 2, 1)
    assert watcher.poll() is None
    everything = project.watch(since=None, progress=False, min_new=1).poll()
    assert everything is not None and len(everything) == 3


def test_watch_iterates_and_runs_in_the_background(server: lsn.Server, project: lsn.Project) -> None:
    added = project.sync(reviews(4), key="id", progress=False)
    ids = [int(t) for t in added["task_id"]]
    labels_later = threading.Timer(1.0, lambda: [annotate(server, t, "pos") for t in ids[:2]])
    labels_later.start()
    batches = list(project.watch(min_new=2, interval=0.3, timeout=120, max_batches=1, progress=False))
    labels_later.join()
    assert len(batches) == 1 and sorted(batches[0]["task_id"]) == ids[:2]

    seen: list[pd.DataFrame] = []
    watcher = project.watch(callback=seen.append, interval=0.3, max_batches=1, timeout=120, progress=False)
    assert watcher.running
    annotate(server, ids[2], "neg")
    watcher.join(120)
    assert not watcher.running and watcher.error is None
    assert len(seen) == 1 and seen[0]["task_id"].tolist() == [ids[2]]

    stopped = project.watch(callback=seen.append, interval=0.3, progress=False)
    stopped.stop()
    assert not stopped.running and "stopped" in repr(stopped)


def test_watch_reports_callback_errors(server: lsn.Server, project: lsn.Project) -> None:
    added = project.sync(reviews(1), key="id", progress=False)

    def broken(batch: pd.DataFrame) -> None:
        raise RuntimeError("retrain failed")

    watcher = project.watch(callback=broken, interval=0.3, timeout=120, progress=False)
    annotate(server, int(added["task_id"].iloc[0]), "pos")
    watcher.join(120)
    assert isinstance(watcher.error, RuntimeError) and not watcher.running


def test_annotate_creates_annotations_once_per_annotator(server: lsn.Server, project: lsn.Project) -> None:
    added = project.sync(reviews(3), key="id", progress=False)
    ids = [int(t) for t in added["task_id"]]
    ann = server.create_user("loop-ann@example.org")
    assert project.annotate({ids[0]: "pos", ids[1]: "neg"}, annotator=ann, lead_time=2.5) == 2
    assert project.annotate(pd.Series(["pos", "neg"], index=ids[:2]), annotator=ann) == 0  # already done
    assert project.annotate(pd.DataFrame({"task_id": [ids[2]], "label": ["pos"]}), ground_truth=True) == 1
    labels = project.pull(progress=False).sort_values("task_id")
    assert labels["label"].tolist() == ["pos", "neg", "pos"]
    assert labels["annotator"].tolist()[:2] == ["loop-ann@example.org"] * 2
    assert labels["ground_truth"].tolist() == [False, False, True]
    assert labels["lead_time"].tolist()[:2] == [2.5, 2.5]
    with pytest.raises(DataError, match="not in project"):
        project.annotate({10**9: "pos"})
    with pytest.raises(ConfigError):
        project.annotate({ids[2]: "maybe"}, annotator=ann)


def test_an_annotator_is_an_email_or_a_user_everywhere(server: lsn.Server, project: lsn.Project) -> None:
    """annotate() and the editor's kernel side take either form and write through one function."""
    added = project.sync(reviews(2), key="id", progress=False)
    ids = [int(t) for t in added["task_id"]]
    ann = server.create_user("either-form@example.org")
    assert project.annotate({ids[0]: "pos"}, annotator="Either-Form@example.org") == 1  # e-mail, any case
    assert project.annotate({ids[0]: "neg"}, annotator=ann) == 0  # the same user as a User: done already
    session = LabelingSession(project._ref, annotator=ann, order="id")
    assert session.user == {"id": ann.id, "email": ann.email}
    assert session.labeled == {ids[0]}  # what the e-mail form wrote is this User's
    session.skip(ids[1])
    rows = project.pull(progress=False)[["task_id", "annotator", "was_cancelled"]]
    got = sorted((int(t), a, bool(c)) for t, a, c in rows.itertuples(index=False))
    assert got == [(ids[0], ann.email, False), (ids[1], ann.email, True)]  # a skip: a cancelled one
    with pytest.raises(lsn.LabelStudioError, match=r"e-mail or a ls_notebook\.User"):
        project.annotate({ids[1]: "pos"}, annotator=42)
