"""Media columns against a real server: local files and bytes are uploaded once, URLs pass through."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pandas as pd
import pytest

from ls_notebook import configs
from ls_notebook.errors import DataError
from tests._support import unique_title

pytestmark = pytest.mark.server

COLORS = [(200, 40, 40), (40, 160, 60), (30, 60, 200)]


def png(color: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 48), color)
    ImageDraw.Draw(image).rectangle((8, 8, 30, 30), fill=(250, 250, 250))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def uploads(project) -> list[dict]:
    response = httpx.get(
        f"{project.server.url}/api/projects/{project.id}/file-uploads",
        params={"all": "true"},
        headers=project.server.connection.headers(),
        trust_env=False,
    )
    assert response.status_code == 200, response.text[:200]
    return response.json()


def task_data(project, task_id: int) -> dict:
    return project.server.client.tasks.get(id=task_id).data


def served(project, url: str) -> bytes:
    assert url.startswith("/data/upload/"), url
    response = project.server.connection.send("GET", url)
    assert response.status_code == 200, response.text[:200]
    return response.content


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    paths = []
    for i, color in enumerate(COLORS):
        path = tmp_path / f"shape {i}.png"
        path.write_bytes(png(color))
        paths.append(path)
    return paths


def test_local_paths_uploaded_once(server, images):
    project = server.project(unique_title("media paths"), configs.image_classification(["red", "other"]))
    df = pd.DataFrame({"image": [str(p) for p in images[:2]] + [images[2]], "id": ["a", "b", "c"]})
    res = project.push(df, key="id", progress=False)
    assert res.created == 3
    for path, tid in zip(images, res.task_ids, strict=True):
        url = task_data(project, int(tid))["image"]
        assert served(project, url) == path.read_bytes()
    before = sorted(f["id"] for f in uploads(project))
    assert len(before) == 3

    again = project.push(df, key="id", progress=False)
    assert (again.created, again.skipped) == (0, 3)
    assert sorted(f["id"] for f in uploads(project)) == before

    # a new row with content already on the server reuses its upload
    more = pd.DataFrame({"image": [str(images[0])], "id": ["d"]})
    assert project.push(more, key="id", progress=False).created == 1
    assert sorted(f["id"] for f in uploads(project)) == before


def test_bytes_column_uploaded(server):
    project = server.project(unique_title("media bytes"), configs.image_classification(["red", "other"]))
    blobs = [png(COLORS[0]), png(COLORS[1], "JPEG"), png(COLORS[0])]  # the third repeats the first
    res = project.push(pd.DataFrame({"image": blobs}), progress=False)
    assert res.created == 3
    urls = [task_data(project, int(tid))["image"] for tid in res.task_ids]
    assert urls[1].endswith(".jpg") and urls[0] == urls[2]
    for blob, url in zip(blobs, urls, strict=True):
        assert served(project, url) == blob
    assert len(uploads(project)) == 2
    again = project.push(pd.DataFrame({"image": blobs}), progress=False)
    assert (again.created, again.skipped) == (0, 3)
    assert len(uploads(project)) == 2


def test_urls_pass_through(server):
    project = server.project(unique_title("media urls"), configs.image_classification(["a"]))
    values = ["https://example.org/a.png", "s3://bucket/b.png", "gs://bucket/c.png", "/data/upload/1/x.png"]
    res = project.push(pd.DataFrame({"image": values}), progress=False)
    assert [task_data(project, int(t))["image"] for t in res.task_ids] == values
    assert uploads(project) == []


def test_missing_path_refused(server, images, tmp_path):
    project = server.project(unique_title("media missing"), configs.image_classification(["a"]))
    df = pd.DataFrame({"image": [str(images[0]), str(tmp_path / "nope.png")]}, index=["x", "y"])
    with pytest.raises(DataError, match=r"Column 'image', row 'y': .*nope\.png.* is not an existing file"):
        project.push(df, progress=False)
    with pytest.raises(DataError, match=r"Column 'image', row 0: bytes of an unrecognised type"):
        project.push(pd.DataFrame({"image": [b"not an image"]}), progress=False)
    assert project.task_count == 0
    assert uploads(project) == []


def test_attached_server_gets_uploads_the_editor_can_show(server, images):
    """A server reached by URL and key only (not started here): files are uploaded, not served locally."""
    import ls_notebook as lsn
    from ls_notebook.loop._labeling import LabelingSession
    from ls_notebook.server._credentials import Credentials

    token = Credentials.load(server.data_dir).token
    remote = lsn.attach(server.url, api_key=token)
    assert not remote.is_local
    project = remote.project(unique_title("media attached"), configs.image_classification(["red", "other"]))
    df = pd.DataFrame({"image": [str(p) for p in images], "id": ["a", "b", "c"]})
    res = project.push(df, key="id", progress=False)
    assert res.created == 3 and len(uploads(project)) == 3
    session = LabelingSession(project._ref, order="id")
    for path, tid in zip(images, res.task_ids, strict=True):
        url = task_data(project, int(tid))["image"]
        assert served(project, url) == path.read_bytes()
        _task, described, buffers = session._load(int(tid))  # what the inline editor is sent
        assert [key for key, _ in described] == ["image"] and buffers == [path.read_bytes()]
    assert project.push(df, key="id", progress=False).skipped == 3 and len(uploads(project)) == 3
