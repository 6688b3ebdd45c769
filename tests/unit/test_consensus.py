"""consensus(): majority vote, Dawid–Skene, crowd-kit style aggregators, spans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp

from ls_notebook import DataError, consensus
from ls_notebook.stats import DawidSkene, MajorityVote

from ._pull_frames import choice, frame, item, span


def test_majority_with_ties_reported_and_broken_deterministically() -> None:
    df = frame(
        {
            1: {1: [choice("pos")], 2: [choice("pos")], 3: [choice("neg")]},
            2: {1: [choice("neg")], 2: [choice("pos")]},
            3: {1: [choice("pos")]},
        }
    )
    out = consensus(df).set_index("task_id")
    assert out.loc[1, "label"] == "pos" and out.loc[1, "confidence"] == pytest.approx(2 / 3)
    assert not out.loc[1, "tie"] and out.loc[1, "n_votes"] == 3
    # task 2 is a tie; "pos" is used more overall (4 vs 2) so it wins, and the tie is flagged
    assert out.loc[2, "tie"] and out.loc[2, "label"] == "pos" and out.loc[2, "confidence"] == 0.5
    assert out.loc[3, "label"] == "pos"
    assert consensus(df, min_votes=2).set_index("task_id").loc[3, "label"] is None


def test_crowdkit_frame_and_custom_aggregator() -> None:
    data = pd.DataFrame({"task": [1, 1, 2, 2], "worker": ["a", "b", "a", "b"], "label": ["x", "y", "y", "y"]})

    class AlwaysFirstWorker:
        def fit_predict(self, d: pd.DataFrame) -> pd.Series:
            return d[d["worker"] == "a"].set_index("task")["label"]

    out = consensus(data, method=AlwaysFirstWorker())
    assert out["label"].tolist() == ["x", "y"] and out["confidence"].isna().all()
    assert consensus(data)["label"].tolist() == ["y", "y"]
    with pytest.raises(DataError, match="method"):
        consensus(data, method="mace")
    with pytest.raises(DataError, match="fit_predict"):
        consensus(data, method=42)


def _simulate(seed: int, n_tasks: int = 400, k: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_tasks)
    accuracy = np.array([0.9, 0.85, 0.8, 0.45, 0.4])  # two weak workers
    rows = []
    for w, acc in enumerate(accuracy):
        correct = rng.random(n_tasks) < acc
        noise = (truth + rng.integers(1, k, n_tasks)) % k
        lab = np.where(correct, truth, noise)
        keep = rng.random(n_tasks) < 0.9
        rows.append(pd.DataFrame({"task": np.flatnonzero(keep), "worker": f"w{w}", "label": lab[keep]}))
    return pd.concat(rows, ignore_index=True), truth


def _naive_ds(data: pd.DataFrame, n_iter: int) -> np.ndarray:
    """A loop-per-rating EM, written for clarity, to check the vectorized one."""
    tasks = np.sort(data["task"].unique())
    workers = np.sort(data["worker"].unique())
    labels = np.sort(data["label"].unique())
    t_idx = {t: i for i, t in enumerate(tasks)}
    w_idx = {w: i for i, w in enumerate(workers)}
    l_idx = {lab: i for i, lab in enumerate(labels)}
    k = len(labels)
    post = np.zeros((len(tasks), k))
    for t, lab in zip(data["task"], data["label"], strict=True):
        post[t_idx[t], l_idx[lab]] += 1
    post /= post.sum(axis=1, keepdims=True)
    for _ in range(n_iter):
        priors = post.mean(axis=0)
        err = np.zeros((len(workers), k, k))
        for t, w, lab in zip(data["task"], data["worker"], data["label"], strict=True):
            err[w_idx[w], :, l_idx[lab]] += post[t_idx[t]]
        err /= np.maximum(err.sum(axis=2, keepdims=True), 1e-12)
        logp = np.tile(np.log(priors), (len(tasks), 1))
        for t, w, lab in zip(data["task"], data["worker"], data["label"], strict=True):
            logp[t_idx[t]] += np.log(np.maximum(err[w_idx[w], :, l_idx[lab]], 1e-12))
        post = np.exp(logp - logsumexp(logp, axis=1, keepdims=True))
    return post


def test_dawid_skene_matches_a_naive_em() -> None:
    data, _ = _simulate(0, n_tasks=60)
    ds = DawidSkene(n_iter=5, tol=0.0).fit(data)
    assert ds.n_iter_ == 5
    np.testing.assert_allclose(ds.probas_.sort_index().to_numpy(), _naive_ds(data, 5), atol=1e-10)


def test_dawid_skene_beats_majority_and_learns_confusions() -> None:
    data, truth = _simulate(1)
    ds = DawidSkene().fit(data)
    mv = MajorityVote().fit(data)
    acc_ds = (ds.labels_.sort_index().to_numpy() == truth[ds.labels_.sort_index().index]).mean()
    acc_mv = (mv.labels_.sort_index().to_numpy() == truth[mv.labels_.sort_index().index]).mean()
    assert acc_ds >= acc_mv and acc_ds > 0.9
    diag = {w: np.diag(ds.errors_.loc[w].to_numpy().T).mean() for w in ["w0", "w4"]}
    assert diag["w0"] > 0.8 > 0.5 > diag["w4"]
    assert ds.errors_.groupby(level="worker").sum().to_numpy() == pytest.approx(1.0)
    assert ds.priors_.sum() == pytest.approx(1.0)
    assert np.all(np.diff(ds.loss_history_) > -1e-9)  # EM never decreases the likelihood


def test_consensus_dawid_skene_from_pull_frame() -> None:
    data, _ = _simulate(2, n_tasks=30)
    users = {f"w{i}": i + 1 for i in range(5)}
    names = {"w0": "ann@x.org", "w1": "bob@x.org", "w2": "cat@x.org", "w3": "dan@x.org"}
    data = data[data["worker"].isin(names)]
    ann = {}
    for t, w, lab in zip(data["task"], data["worker"], data["label"], strict=True):
        ann.setdefault(int(t) + 1, {})[users[w]] = [choice(str(lab))]
    out = consensus(frame(ann), method="dawid_skene")
    assert len(out) == data["task"].nunique()
    assert ((out["confidence"] >= 0) & (out["confidence"] <= 1)).all()
    errors = out.attrs["errors"]["sentiment"]
    assert set(errors.index.get_level_values("worker")) == set(names.values())


@pytest.mark.filterwarnings("ignore::DeprecationWarning:crowdkit")  # crowd-kit's own pandas 4 notices
def test_dawid_skene_against_crowdkit_when_installed() -> None:
    crowdkit = pytest.importorskip("crowdkit.aggregation")
    for seed in range(3):
        data, _ = _simulate(seed)
        theirs = crowdkit.DawidSkene(n_iter=100, tol=1e-8).fit(data)
        ours = DawidSkene(n_iter=100, tol=1e-8).fit(data)
        assert (ours.labels_.sort_index() == theirs.labels_.sort_index()).all()
        labels = ours.probas_.columns
        np.testing.assert_allclose(
            theirs.probas_.sort_index()[labels].to_numpy(), ours.probas_.sort_index().to_numpy(), atol=1e-3
        )
        np.testing.assert_allclose(
            theirs.errors_.sort_index()[labels].to_numpy(), ours.errors_.sort_index().to_numpy(), atol=1e-4
        )
        np.testing.assert_allclose(theirs.priors_[labels].to_numpy(), ours.priors_.to_numpy(), atol=1e-4)


def test_ratings_consensus_is_majority_of_values() -> None:
    df = frame(
        {
            1: {
                1: [item("stars", "rating", {"rating": 4})],
                2: [item("stars", "rating", {"rating": 4})],
                3: [item("stars", "rating", {"rating": 2})],
            }
        }
    )
    out = consensus(df)
    assert out["label"].tolist() == [4.0]


def test_multilabel_consensus_is_the_most_common_set() -> None:
    df = frame({1: {1: [choice(["a", "b"])], 2: [choice(["b", "a"])], 3: [choice(["a"])]}})
    assert consensus(df)["label"].tolist() == ["a|b"]


def test_span_consensus_keeps_spans_most_annotators_marked() -> None:
    df = frame(
        {
            1: {
                1: [span(0, 5, "PER"), span(10, 12, "LOC")],
                2: [span(0, 5, "PER")],
                3: [span(0, 5, "ORG"), span(20, 25, "LOC")],
            }
        }
    )
    out = consensus(df)
    assert out[["task_id", "start", "end", "label", "n_votes"]].values.tolist() == [[1, 0, 5, "PER", 3]]
    assert out["confidence"].tolist() == [1.0]


def test_empty_and_unsupported() -> None:
    df = frame({1: {1: [item("comment", "textarea", {"text": ["x"]})]}})
    out = consensus(df)
    assert (
        list(out.columns) == ["from_name", "task_id", "label", "confidence", "n_votes", "tie"]
        and len(out) == 0
    )


def test_box_consensus_clusters_matched_regions() -> None:
    from ._pull_frames import box

    df = frame(
        {
            1: {
                1: [box(0, 0, 10, 10, "car"), box(50, 50, 5, 5, "person")],
                2: [box(1, 0, 10, 10, "car")],
                3: [box(0, 1, 10, 10, "truck"), box(80, 80, 5, 5, "dog")],
            }
        }
    )
    out = consensus(df)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["label"] == "car" and row["n_votes"] == 3 and not row["tie"]
    assert row["x"] == pytest.approx(1 / 3) and row["y"] == pytest.approx(1 / 3) and row["width"] == 10
    assert row["confidence"] == 1.0
