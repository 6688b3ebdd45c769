"""The inline editor in real JupyterLab: label with mouse and keyboard, check what the server holds.

Each test creates its own project through the SDK, opens the widget in the shared notebook
(``cell``), does what a user does, presses Submit, and reads the annotation back from the server.
"""

from __future__ import annotations

import pytest

from tests.browser._helpers import (
    drag_over_text,
    editor,
    editor_layout,
    image_box,
    make_image,
    make_project,
    screenshot,
    upload_task,
    user_id,
    wait_annotations,
    wait_state,
)

pytestmark = pytest.mark.browser

TEXT_CLASSES = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="Positive"/><Choice value="Negative"/>
  </Choices>
</View>"""

MULTI_LABEL = """<View>
  <Text name="text" value="$text"/>
  <Choices name="topics" toName="text" choice="multiple">
    <Choice value="Sports"/><Choice value="Politics"/><Choice value="Tech"/>
  </Choices>
</View>"""

NER = """<View>
  <Labels name="label" toName="text">
    <Label value="PER"/><Label value="ORG"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""

TEXT_AREA = """<View>
  <Text name="text" value="$text"/>
  <TextArea name="summary" toName="text" rows="2" editable="true"/>
</View>"""

RATING = """<View>
  <Text name="text" value="$text"/>
  <Rating name="stars" toName="text" maxRating="5"/>
</View>"""


def open_widget(cell, page, pid: int, extra: str = "") -> object:
    cell(f"w = label(server, {pid}{extra})\nw")
    wait_state(page, "ready")
    return editor(page)


def submit(page, frame) -> None:
    frame.get_by_role("button", name="Submit").click()


def only_result(ls_server, pid: int, count: int = 1) -> list[dict]:
    found = wait_annotations(ls_server.server, pid, count)
    assert len(found) == count, found
    me = user_id(ls_server.server)
    assert all(a["completed_by"] == me for a in found)
    return found[-1]["result"]


def test_text_classification(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "I love it"}, {"text": "I hate it"}])
    frame = open_widget(cell, page, pid)
    frame.locator("label", has_text="Positive").click()
    screenshot(page, "text-classification")
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert [(r["from_name"], r["value"]["choices"]) for r in result] == [("sentiment", ["Positive"])]
    # After the save the widget shows the next task, with the progress line updated.
    wait_state(page, "ready")
    assert "1 / 2 labeled" in page.locator(".lsn-lab-progress").inner_text()
    assert not page.page_errors


def test_multi_label(cell, page, ls_server):
    pid = make_project(ls_server.server, MULTI_LABEL, [{"text": "The match was streamed on a new app"}])
    frame = open_widget(cell, page, pid)
    frame.locator("label", has_text="Sports").click()
    frame.locator("label", has_text="Tech").click()
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert sorted(result[0]["value"]["choices"]) == ["Sports", "Tech"]


def test_ner_span_by_mouse_drag(cell, page, ls_server):
    text = "Ada Lovelace worked with Charles Babbage"
    pid = make_project(ls_server.server, NER, [{"text": text}])
    frame = open_widget(cell, page, pid)
    frame.locator(".lsf-label", has_text="PER").first.click()
    drag_over_text(page, frame, "Ada Lovelace")
    frame.locator(".htx-highlight").first.wait_for()
    screenshot(page, "ner")
    submit(page, frame)
    result = only_result(ls_server, pid)
    spans = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"]) for r in result]
    assert spans == [(0, 12, ["PER"])]
    assert result[0]["value"]["text"] == "Ada Lovelace"


def test_text_area_typing(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_AREA, [{"text": "Long text to summarise"}])
    frame = open_widget(cell, page, pid)
    box = frame.locator("textarea").first
    box.click()
    box.type("short summary")
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert result[0]["value"]["text"] == ["short summary"]


def test_rating(cell, page, ls_server):
    pid = make_project(ls_server.server, RATING, [{"text": "Rate me"}])
    frame = open_widget(cell, page, pid)
    frame.locator(".ant-rate-star").nth(3).click()
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert result[0]["value"]["rating"] == 4


LONG_TEXT = " ".join(["A sentence long enough to wrap over a few lines of the editor."] * 60)


@pytest.fixture
def wide_editor(page):
    """Hide JupyterLab's file browser: the editor gets ~1080 px and shows its side column (narrower,
    it stacks its panels under the task)."""
    toggle = "() => window.jupyterapp.commands.execute('application:toggle-left-area')"
    was_open = not page.evaluate("() => window.jupyterapp.shell.leftCollapsed")
    if was_open:
        page.evaluate(toggle)
    yield
    if was_open:
        page.evaluate(toggle)


def test_auto_height_follows_the_editor_and_shows_the_side_column(cell, page, ls_server, wide_editor):
    """A text config's frame is as tall as the editor's content (no blank below the editor; shorter
    for a shorter task), and never too short for the side column's panels."""
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": LONG_TEXT}, {"text": "Short"}])
    frame = open_widget(cell, page, pid)
    tall = editor_layout(page)
    assert tall["content"] > 700, tall  # taller than the side column needs: the text sets the height
    assert abs(tall["frame"] - tall["content"]) <= 24, tall
    assert abs(tall["frame"] - tall["editor_bottom"]) <= 2, tall
    assert tall["panels"] == 2 and not tall["clipped"], tall

    page.locator(".lsn-lab button", has_text="Next").click()
    frame.get_by_text("Short", exact=True).wait_for()
    wait_state(page, "ready")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    short = editor_layout(page)
    assert short["content"] < 400, short
    # The frame shrank to the side column's minimum, and the editor fills it: no blank below it.
    assert 500 <= short["frame"] <= 700, short
    assert abs(short["frame"] - short["editor_bottom"]) <= 2, short
    assert short["panels"] == 2 and not short["clipped"], short


IMAGE_CLASSES = """<View>
  <Image name="image" value="$image"/>
  <Choices name="kind" toName="image"><Choice value="Shapes"/><Choice value="Empty"/></Choices>
</View>"""

BBOX = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Red"/><Label value="Blue"/></RectangleLabels>
</View>"""

POLYGON = """<View>
  <Image name="image" value="$image"/>
  <PolygonLabels name="poly" toName="image"><Label value="Red"/></PolygonLabels>
</View>"""

KEYPOINTS = """<View>
  <Image name="image" value="$image"/>
  <KeyPointLabels name="kp" toName="image"><Label value="Center"/></KeyPointLabels>
</View>"""


@pytest.fixture(scope="module")
def picture(tmp_path_factory):
    return make_image(tmp_path_factory.mktemp("media") / "shapes.png")


def test_image_classification_from_server_upload(cell, page, ls_server, picture):
    """The image lives on the server (/data/upload/…): the kernel fetches it and sends the bytes."""
    pid = make_project(ls_server.server, IMAGE_CLASSES, [])
    upload_task(ls_server.server, pid, picture)
    frame = open_widget(cell, page, pid)
    box = image_box(frame)
    assert box["width"] > 100
    # The picture arrived as a blob: URL made from the kernel's buffer, not a server URL.
    src = frame.locator("img").first.get_attribute("src")
    assert src.startswith("blob:")
    # Media configs keep their fixed height; the editor fills it (this narrow editor stacks its
    # panels under the image and is taller: the frame scrolls).
    layout = editor_layout(page)
    assert layout["frame"] == 620 and layout["editor_bottom"] >= 618, layout
    frame.locator("label", has_text="Shapes").click()
    screenshot(page, "image-classification")
    submit(page, frame)
    assert only_result(ls_server, pid)[0]["value"]["choices"] == ["Shapes"]


def test_media_editor_fills_its_fixed_height(cell, page, ls_server, picture, wide_editor):
    pid = make_project(ls_server.server, BBOX, [{"image": str(picture)}])
    frame = open_widget(cell, page, pid, f", media_roots=[{str(picture.parent)!r}]")
    before = image_box(frame)
    layout = editor_layout(page)
    assert layout["frame"] == 620 and abs(layout["editor_bottom"] - 620) <= 2, layout
    assert layout["panels"] == 2 and not layout["clipped"], layout
    assert before["width"] > 300 and image_box(frame) == before  # the image keeps its size


def test_bounding_box_by_mouse_drag(cell, page, ls_server, picture):
    pid = make_project(ls_server.server, BBOX, [{"image": str(picture)}])
    frame = open_widget(cell, page, pid, f", media_roots=[{str(picture.parent)!r}]")
    frame.locator(".lsf-label", has_text="Red").first.click()
    box = image_box(frame)
    x0, y0 = box["x"] + box["width"] * 0.125, box["y"] + box["height"] * 0.2
    x1, y1 = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.55
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=10)
    page.mouse.up()
    screenshot(page, "bounding-box")
    submit(page, frame)
    (region,) = only_result(ls_server, pid)
    value = region["value"]
    assert region["type"] == "rectanglelabels" and value["rectanglelabels"] == ["Red"]
    assert value["x"] == pytest.approx(12.5, abs=1.5) and value["y"] == pytest.approx(20, abs=1.5)
    assert value["width"] == pytest.approx(27.5, abs=2) and value["height"] == pytest.approx(35, abs=2)


def test_polygon_by_clicks(cell, page, ls_server, picture):
    pid = make_project(ls_server.server, POLYGON, [{"image": str(picture)}])
    frame = open_widget(cell, page, pid, f", media_roots=[{str(picture.parent)!r}]")
    frame.locator(".lsf-label", has_text="Red").first.click()
    box = image_box(frame)
    points = [(0.2, 0.2), (0.4, 0.2), (0.4, 0.5), (0.2, 0.5)]
    for fx, fy in [*points, points[0]]:  # clicking the first point again closes the polygon
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(150)
    screenshot(page, "polygon")
    submit(page, frame)
    (region,) = only_result(ls_server, pid)
    assert region["type"] == "polygonlabels" and region["value"]["closed"] is not False
    got = [tuple(p) for p in region["value"]["points"]]
    assert len(got) == 4
    for (gx, gy), (fx, fy) in zip(got, points, strict=True):
        assert gx == pytest.approx(fx * 100, abs=1.5) and gy == pytest.approx(fy * 100, abs=1.5)


def test_keypoint_by_click(cell, page, ls_server, picture):
    pid = make_project(ls_server.server, KEYPOINTS, [{"image": str(picture)}])
    frame = open_widget(cell, page, pid, f", media_roots=[{str(picture.parent)!r}]")
    frame.locator(".lsf-label", has_text="Center").first.click()
    box = image_box(frame)
    page.mouse.click(box["x"] + box["width"] * 0.68, box["y"] + box["height"] * 0.525)
    submit(page, frame)
    (region,) = only_result(ls_server, pid)
    assert region["type"] == "keypointlabels"
    assert region["value"]["x"] == pytest.approx(68, abs=1.5)
    assert region["value"]["y"] == pytest.approx(52.5, abs=1.5)


AUDIO_TRANSCRIPTION = """<View>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcription" toName="audio" rows="2" editable="true" maxSubmissions="1"/>
</View>"""


def test_audio_transcription(cell, page, ls_server):
    """Audio from the server's samples: fetched by the kernel, decoded in the editor (wasm worker)."""
    pid = make_project(ls_server.server, AUDIO_TRANSCRIPTION, [{"audio": "/static/samples/game.wav"}])
    frame = open_widget(cell, page, pid)
    frame.locator("canvas").first.wait_for()  # the waveform is drawn once the audio is decoded
    assert "There was an issue loading URL" not in frame.locator("body").inner_text()
    box = frame.locator("textarea").first
    box.click()
    box.type("game sounds")
    screenshot(page, "audio-transcription")
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert result[0]["value"]["text"] == ["game sounds"]


def test_dark_theme_keeps_the_editor_readable(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "Readable in the dark"}])
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    try:
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=20_000)
        frame = open_widget(cell, page, pid)
        line = frame.locator(".lsf-richtext__line").first
        colors = line.evaluate(
            "(el) => [getComputedStyle(el).color, getComputedStyle(el.ownerDocument.body).backgroundColor]"
        )
        screenshot(page, "dark-theme")
        text, background = ([int(c) for c in s[s.index("(") + 1 : -1].split(",")[:3]] for s in colors)
        assert sum(text) < 200 and sum(background) > 700, colors  # dark text on a light editor
    finally:
        page.evaluate(
            "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})"
        )
