"""S3-compatible storage against a real moto server on 127.0.0.1 and a real Label Studio."""

from __future__ import annotations

import io
import json
import uuid

import pandas as pd
import pytest
from PIL import Image

import ls_notebook as lsn
from ls_notebook.storage import Storage, read_media
from tests._fixtures import ACCESS
from tests._support import unique_title

pytestmark = pytest.mark.server

COLORS = ["red", "green", "blue"]


def _png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(out, format="PNG")
    return out.getvalue()


def _bucket(s3, tag: str) -> str:  # type: ignore[no-untyped-def]
    """A new bucket with three images and a JSON manifest listing them as tasks."""
    name = f"lsn-{tag}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    manifest = []
    for color in COLORS:
        s3.put_object(Bucket=name, Key=f"images/{color}.png", Body=_png(color), ContentType="image/png")
        manifest.append({"image": f"s3://{name}/images/{color}.png", "color": color})
    s3.put_object(Bucket=name, Key="manifests/tasks.json", Body=json.dumps(manifest).encode())
    return name


def _project(server: lsn.Server) -> lsn.Project:
    return server.project(unique_title("s3"), lsn.configs.image_classification(COLORS))


def _tasks(project: lsn.Project) -> list[dict]:
    """The project's tasks as stored (``resolve_uri=False``: the ``s3://`` URIs, not server links)."""
    found = project.server.client.tasks.list(project=project.id, resolve_uri=False)
    return sorted((t.dict() for t in found), key=lambda t: t["id"])


def test_images_become_tasks_with_their_uris(server: lsn.Server, s3, s3_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    bucket = _bucket(s3, "img")
    project = _project(server)
    storage = project.connect_storage(
        f"s3://{bucket}/images", endpoint_url=s3_endpoint, pattern=r".*\.png", progress=False
    )
    assert isinstance(storage, Storage) and not storage.target
    tasks = _tasks(project)
    uris = sorted(next(iter(t["data"].values())) for t in tasks)
    assert uris == sorted(f"s3://{bucket}/images/{c}.png" for c in COLORS)
    assert storage.info()["status"] == "completed"
    # a second sync links nothing twice
    again = storage.sync(progress=False)
    assert again.count == 0 and len(_tasks(project)) == 3
    # connecting the same URI again reuses the storage instead of duplicating tasks
    same = project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, progress=False)
    assert same.id == storage.id and len(_tasks(project)) == 3


def test_credentials_stay_out_of_the_notebook(server: lsn.Server, s3, s3_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    bucket = _bucket(s3, "cred")
    project = _project(server)
    storage = project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, sync=False)
    shown = repr(storage) + storage._repr_html_() + repr(vars(storage))
    for secret in ACCESS.values():
        assert secret not in shown


def test_manifest_tasks_and_media_through_the_server(server: lsn.Server, s3, s3_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    bucket = _bucket(s3, "json")
    project = _project(server)
    project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, sync=False)  # media
    manifest = project.connect_storage(
        f"s3://{bucket}/manifests", json_tasks=True, pattern=r".*\.json", endpoint_url=s3_endpoint
    )
    assert manifest.info()["last_sync_count"] == 3
    tasks = _tasks(project)
    assert [t["data"]["color"] for t in tasks] == COLORS
    assert [t["data"]["image"] for t in tasks] == [f"s3://{bucket}/images/{c}.png" for c in COLORS]
    body = read_media(project, tasks[1]["data"]["image"])
    assert Image.open(io.BytesIO(body)).getpixel((0, 0)) == (0, 128, 0)


def test_push_a_dataframe_of_s3_keys(server: lsn.Server, s3, s3_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    bucket = _bucket(s3, "push")
    project = _project(server)
    project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, sync=False)
    df = pd.DataFrame({"image": [f"s3://{bucket}/images/{c}.png" for c in COLORS]})
    assert project.push(df, progress=False).created == 3
    assert [t["data"]["image"] for t in _tasks(project)] == df["image"].tolist()
    assert read_media(project, df["image"][2]) == _png("blue")
    with pytest.raises(lsn.LabelStudioError, match="connect a storage"):
        read_media(project, "s3://not-connected/x.png")


def test_annotations_exported_to_target_bucket(server: lsn.Server, s3, s3_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    bucket = _bucket(s3, "out")
    project = _project(server)
    project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, progress=False)
    tasks = _tasks(project)
    for task in tasks[:2]:
        color = task["data"]["image"].rsplit("/", 1)[1].split(".")[0]
        result = [
            {"from_name": "label", "to_name": "image", "type": "choices", "value": {"choices": [color]}}
        ]
        server.client.annotations.create(id=task["id"], result=result)
    target = project.connect_storage(f"s3://{bucket}/labels", target=True, endpoint_url=s3_endpoint)
    assert target.target
    outcome = target.sync(progress=False)
    assert outcome.status == "completed"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="labels/").get("Contents", [])]
    assert len(keys) == 2
    exported = [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]
    got = sorted((e["task"]["data"]["image"], e["result"][0]["value"]["choices"][0]) for e in exported)
    want = sorted((t["data"]["image"], t["data"]["image"].rsplit("/", 1)[1][:-4]) for t in tasks[:2])
    assert got == want


def test_inline_editor_gets_media_bytes_from_the_bucket(server: lsn.Server, s3, s3_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    """The kernel side of the inline widget sends the image bytes: the browser needs no credentials."""
    from ls_notebook.loop._labeling import LabelingSession

    bucket = _bucket(s3, "widget")
    project = _project(server)
    project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, progress=False)
    first = _tasks(project)[0]["data"]["image"]
    session = LabelingSession(project._ref, order="id")
    message, buffers = session.message()
    assert [tuple(m) for m in message["media"]] == [("image", "image/png")]
    assert buffers[0] == _png(first.rsplit("/", 1)[1][:-4])
