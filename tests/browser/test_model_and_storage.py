"""Model in the loop and media from storage, in the inline editor in real JupyterLab.

- The kernel serves a scikit-learn model as the project's ML backend (``Project.serve_model``); the
  real Label Studio asks it for a prediction when the widget opens a task without one, and the editor
  starts from that pre-annotation. The user accepts it and submits; the server holds the annotation.
- Images live in an S3-compatible bucket (moto on 127.0.0.1); the kernel fetches them through Label
  Studio and sends the bytes, and the editor shows them (the browser has no cloud credentials).
"""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from tests.browser._helpers import editor, make_project, user_id, wait_annotations, wait_state
from tests.browser._jupyter import wait_idle
from tests.browser.test_labeling import IMAGE_CLASSES, TEXT_CLASSES, submit

pytestmark = pytest.mark.browser

SERVE = """from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
texts = ["I love it", "love this", "great, I love it", "I hate it", "hate this", "awful, I hate it"]
labels = ["Positive"] * 3 + ["Negative"] * 3
model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(texts, labels)
p = server.project(id={pid})
ms = p.serve_model(model, model_version="kernel-model-1")
w = p.label()
w"""


def _predictions(server, task_id: int) -> list[dict]:
    task = server.client.tasks.get(id=str(task_id))
    return [p if isinstance(p, dict) else p.dict() for p in task.predictions or []]


def test_model_preannotation_accepted_in_the_widget(cell, page, ls_server):
    tasks = [{"text": "I really love this film"}, {"text": "I hate this film"}]
    pid = make_project(ls_server.server, TEXT_CLASSES, tasks, prefix="model")
    task_ids = sorted(int(t.id) for t in ls_server.server.client.tasks.list(project=pid))
    assert all(_predictions(ls_server.server, t) == [] for t in task_ids)  # nothing pre-computed
    try:
        cell(SERVE.format(pid=pid))
        wait_state(page, "ready")
        frame = editor(page)
        frame.get_by_text("I really love this film").wait_for()
        # The editor starts from the kernel model's prediction: its choice is checked already.
        positive = frame.get_by_role("checkbox", name="Positive")
        positive.wait_for()
        assert positive.is_checked()
        assert not frame.get_by_role("checkbox", name="Negative").is_checked()
        # The server asked the kernel's backend when the task was opened.
        [prediction] = _predictions(ls_server.server, task_ids[0])
        assert prediction["model_version"] == "kernel-model-1"
        assert prediction["result"][0]["value"] == {"choices": ["Positive"]}
        # Accept it as it is.
        submit(page, frame)
        [annotation] = wait_annotations(ls_server.server, pid, 1)
        assert annotation["task"] == task_ids[0]
        assert annotation["completed_by"] == user_id(ls_server.server)
        assert [(r["from_name"], r["value"]["choices"]) for r in annotation["result"]] == [
            ("sentiment", ["Positive"])
        ]
        # The next task opens with the model's other answer.
        wait_state(page, "ready")
        frame.get_by_text("I hate this film").wait_for()
        negative = frame.get_by_role("checkbox", name="Negative")
        negative.wait_for()
        assert negative.is_checked()
        assert not frame.get_by_role("checkbox", name="Positive").is_checked()
        assert not page.page_errors
    finally:
        cell("ms.stop()")
        wait_idle(page)


def _png(size: tuple[int, int], color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def test_image_from_s3_bucket_shown_in_the_widget(cell, page, ls_server, s3, s3_endpoint):
    bucket = f"lsn-widget-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(
        Bucket=bucket, Key="images/shapes.png", Body=_png((320, 200), "teal"), ContentType="image/png"
    )
    pid = make_project(ls_server.server, IMAGE_CLASSES, [], prefix="s3")
    project = ls_server.server.project(id=pid)
    # The test process connects the bucket (credentials from its environment go to the server only).
    project.connect_storage(f"s3://{bucket}/images", endpoint_url=s3_endpoint, progress=False)
    [task] = list(ls_server.server.client.tasks.list(project=pid, resolve_uri=False))
    assert task.data["image"] == f"s3://{bucket}/images/shapes.png"

    cell(f"w = server.project(id={pid}).label()\nw")
    wait_state(page, "ready")
    frame = editor(page)
    image = frame.locator("img").first
    image.wait_for()
    frame.locator(".konvajs-content").first.wait_for()
    size = image.evaluate(
        "async (img) => { if (!img.complete) await new Promise(r => img.addEventListener('load', r));"
        " return [img.naturalWidth, img.naturalHeight, img.src]; }"
    )
    assert size[:2] == [320, 200]
    assert size[2].startswith("blob:")  # bytes sent by the kernel, not a bucket or server URL
    frame.locator("label", has_text="Shapes").click()
    submit(page, frame)
    [annotation] = wait_annotations(ls_server.server, pid, 1)
    assert annotation["result"][0]["value"]["choices"] == ["Shapes"]
    assert not page.page_errors
