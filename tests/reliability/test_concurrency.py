"""Pulls and ``since=`` polls while 8 annotators write 1,600 annotations concurrently."""

from __future__ import annotations

import threading
import time
import uuid

import pandas as pd
import pytest

import ls_notebook as lsn
from ls_notebook import configs
from tests._support import unique_title

pytestmark = [pytest.mark.server, pytest.mark.slow]

ANNOTATORS = 8
PER_ANNOTATOR = 200
LABELS = ("pos", "neg")


def choice(label: str) -> list[dict]:
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [label]}}]


def check_consistent(df: pd.DataFrame, emails: set[str], task_ids: set[int]) -> None:
    """No half-written annotation, no duplicate row."""
    ann = df[df["source"] == "annotation"]
    assert ann["annotation_id"].is_unique  # one result item per annotation in this config
    assert not ann.duplicated(["task_id", "annotator"]).any()
    assert set(ann["label"]) <= set(LABELS) and ann["label"].notna().all()
    assert set(ann["annotator"]) <= emails and set(ann["task_id"]) <= task_ids


def annotate_all(server: lsn.Server, user, task_ids: list[int], errors: list, done: list) -> None:  # type: ignore[no-untyped-def]
    me = server.as_user(user)
    try:
        for i, task_id in enumerate(task_ids):
            me.client.annotations.create(id=task_id, result=choice(LABELS[(i + user.id) % 2]), lead_time=1.5)
            done.append(task_id)
    except Exception as exc:  # recorded and re-raised in the test
        errors.append(exc)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> lsn.Server:
    """The same test on a server with Label Studio's default SQLite and on one backed by PostgreSQL."""
    return request.getfixturevalue("server" if request.param == "sqlite" else "pg_server")


def test_pulls_and_polls_under_concurrent_annotators(backend: lsn.Server) -> None:
    server = backend
    project = server.project(unique_title("concurrent"), configs.text_classification(list(LABELS)))
    pushed = project.push(pd.DataFrame({"text": [f"t{i}" for i in range(PER_ANNOTATOR)]}), progress=False)
    task_ids = [int(t) for t in pushed.task_ids]
    run = uuid.uuid4().hex[:6]
    users = [server.create_user(f"ann{i}-{run}@example.org") for i in range(ANNOTATORS)]
    assert all(u.api_key for u in users)
    emails = {u.email for u in users}
    errors: list[BaseException] = []
    done: list[int] = []
    threads = [
        threading.Thread(target=annotate_all, args=(server, u, task_ids, errors, done), daemon=True)
        for u in users
    ]
    for t in threads:
        t.start()

    counts: dict[str, list[int]] = {"auto": [], "api": []}
    delivered: list[int] = []
    polled = project.pull(progress=False)  # the first poll: everything so far
    delivered += polled["annotation_id"].dropna().tolist()
    rounds = 0
    while any(t.is_alive() for t in threads):
        polled = project.pull(since=polled, progress=False)
        delivered += polled["annotation_id"].dropna().tolist()
        check_consistent(polled, emails, set(task_ids))
        source = "api" if rounds % 8 == 7 else "auto"  # auto: the direct database read where possible
        full = project.pull(source=source, progress=False)
        check_consistent(full, emails, set(task_ids))
        counts[source].append(len(full))
        rounds += 1
        time.sleep(0.5)  # leave the two CPUs mostly to the writers
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len(done) == ANNOTATORS * PER_ANNOTATOR

    polled = project.pull(since=polled, progress=False)
    delivered += polled["annotation_id"].dropna().tolist()
    final = project.pull(progress=False)
    check_consistent(final, emails, set(task_ids))
    assert len(final) == ANNOTATORS * PER_ANNOTATOR == 1600
    assert final.groupby("annotator").size().to_dict() == dict.fromkeys(emails, PER_ANNOTATOR)
    api = project.pull(source="api", progress=False)
    assert sorted(api["annotation_id"]) == sorted(final["annotation_id"])
    # each snapshot saw at least as much as the one before it
    for seq in counts.values():
        assert seq == sorted(seq)
    assert rounds >= 2, "the pulls did not overlap the writes"
    # since= polling: every annotation exactly once
    assert len(delivered) == len(set(delivered)) == 1600
    assert set(delivered) == set(final["annotation_id"])
    # nothing new after the end
    assert len(project.pull(since=polled, progress=False)) == 0
