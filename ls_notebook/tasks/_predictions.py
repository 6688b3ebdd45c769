"""Predictions: the simple forms a user writes → Label Studio result JSON, validated on the config.

Accepted per row (``None``/NaN means no prediction for the row):

===============================================  =========================================================
form                                             for
===============================================  =========================================================
``"positive"`` / ``["a", "b"]``                  ``<Choices>`` (one / several choices)
``"left"`` / ``"right"``                         ``<Pairwise>``
``"some text"`` (no Choices in the config)       ``<TextArea>``
``4`` (a number)                                 ``<Rating>`` / ``<Number>``
``[(start, end, "PER"), ...]``                   ``<Labels>`` on a ``<Text>`` (character offsets)
``[(x, y, w, h, "car"), ...]``                   ``<RectangleLabels>``, percent of the image
``[(x, y, w, h, "car", img_w, img_h), ...]``     ``<RectangleLabels>``, pixels of an ``img_w × img_h`` image
``[([(x, y), ...], "road"), ...]``               ``<PolygonLabels>``, percent
``[(x, y, "nose"), ...]``                        ``<KeyPointLabels>``, percent
``[{"from_name": ..., "value": ...}, ...]``      any config: Label Studio's own result list
``{"result": <any form>, "score": 0.9}``         any of the above with a score (and ``model_version``)
===============================================  =========================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from label_studio_sdk.label_interface import LabelInterface

from ls_notebook.errors import ConfigError

__all__ = ["to_prediction"]


def _controls(li: LabelInterface, *tags: str) -> list[Any]:
    return [c for c in li.controls if c.tag.lower() in tags]


def _first(li: LabelInterface, tags: Sequence[str], what: str, row: Any) -> Any:
    found = _controls(li, *tags)
    if not found:
        raise ConfigError(
            f"Row {row!r}: a prediction given as {what} needs a {'/'.join(tags)} control in the config; "
            "pass Label Studio result dicts instead."
        )
    return found[0]


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return (isinstance(value, float) and math.isnan(value)) or bool(value != value)
    except (TypeError, ValueError):
        return False


def _region(control: Any, value: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "id": f"p{index}",
        "from_name": control.name,
        "to_name": control.to_name[0],
        "type": control.tag.lower(),
        "value": value,
    }


def _span(li: LabelInterface, item: Sequence[Any], data: Mapping[str, Any], i: int, row: Any) -> dict:
    control = _first(li, ("labels",), "(start, end, label) spans", row)
    start, end, label = item
    obj = li.get_object(control.to_name[0])
    text = data.get(obj.value_name) if obj.value_is_variable else None
    size = len(text) if isinstance(text, str) else None
    if int(start) < 0 or int(end) < int(start) or (size is not None and int(end) > size):
        raise ConfigError(
            f"Row {row!r}: span ({start}, {end}, {label!r}) is outside the text (0 <= start <= end <= "
            f"{size if size is not None else 'its length'}): give character offsets into the row's text."
        )
    value: dict[str, Any] = {"start": int(start), "end": int(end), "labels": [str(label)]}
    if isinstance(text, str):
        value["text"] = text[int(start) : int(end)]
    return _region(control, value, i)


def _box(li: LabelInterface, item: Sequence[Any], i: int, row: Any) -> dict:
    control = _first(li, ("rectanglelabels",), "(x, y, w, h, label) boxes", row)
    x, y, w, h = (float(v) for v in item[:4])
    label = item[4]
    value: dict[str, Any] = {"rotation": 0.0}
    if len(item) == 7:
        img_w, img_h = float(item[5]), float(item[6])
        if img_w <= 0 or img_h <= 0:
            raise ConfigError(f"Row {row!r}: image size {item[5]}×{item[6]} must be positive.")
        value.update(original_width=int(img_w), original_height=int(img_h))
        x, w = 100.0 * x / img_w, 100.0 * w / img_w
        y, h = 100.0 * y / img_h, 100.0 * h / img_h
    value.update(x=x, y=y, width=w, height=h, rectanglelabels=[str(label)])
    return _region(control, value, i)


def _region_item(li: LabelInterface, item: Any, data: Mapping[str, Any], i: int, row: Any) -> dict:
    if isinstance(item, Mapping):
        return dict(item)
    if not isinstance(item, Sequence) or isinstance(item, str):
        raise ConfigError(f"Row {row!r}: prediction item {item!r} is not a tuple or a result dict.")
    n = len(item)
    if n == 3 and _controls(li, "labels") and not _controls(li, "keypointlabels"):
        return _span(li, item, data, i, row)
    if n == 3:
        control = _first(li, ("keypointlabels",), "(x, y, label) key points", row)
        value = {"x": float(item[0]), "y": float(item[1]), "width": 1.0, "keypointlabels": [str(item[2])]}
        return _region(control, value, i)
    if n == 2:
        control = _first(li, ("polygonlabels",), "(points, label) polygons", row)
        points = [[float(p[0]), float(p[1])] for p in item[0]]
        return _region(control, {"points": points, "polygonlabels": [str(item[1])]}, i)
    if n in (5, 7):
        return _box(li, item, i, row)
    raise ConfigError(
        f"Row {row!r}: cannot read prediction item {item!r}: use (start, end, label), (x, y, w, h, label), "
        "(points, label), (x, y, label) or a Label Studio result dict."
    )


def _result(li: LabelInterface, simple: Any, data: Mapping[str, Any], row: Any) -> list[dict]:
    if isinstance(simple, str):
        if _controls(li, "choices"):
            control = _first(li, ("choices",), "a string", row)
            return [_region(control, {"choices": [simple]}, 0)]
        if _controls(li, "pairwise"):
            control = _first(li, ("pairwise",), "a string", row)
            return [_region(control, {"selected": simple}, 0)]
        control = _first(li, ("textarea",), "a string", row)
        return [_region(control, {"text": [simple]}, 0)]
    if isinstance(simple, bool):
        raise ConfigError(f"Row {row!r}: a bool is not a prediction; use a label string.")
    if isinstance(simple, (int, float)) and not isinstance(simple, bool):
        control = _first(li, ("rating", "number"), "a number", row)
        key = control.tag.lower()
        return [_region(control, {key: int(simple) if key == "rating" else simple}, 0)]
    if hasattr(simple, "tolist") and not isinstance(simple, Mapping):
        simple = simple.tolist()
    if isinstance(simple, Sequence):
        items = list(simple)
        if items and all(isinstance(v, str) for v in items):
            control = _first(li, ("choices",), "a list of strings", row)
            return [_region(control, {"choices": items}, 0)]
        return [_region_item(li, item, data, i, row) for i, item in enumerate(items)]
    raise ConfigError(f"Row {row!r}: cannot read prediction {simple!r:.80} (see ls_notebook.tasks docs).")


def to_prediction(
    simple: Any,
    li: LabelInterface,
    data: Mapping[str, Any],
    row: Any,
    model_version: str | None = None,
) -> dict[str, Any] | None:
    """Convert one row's prediction to Label Studio's prediction JSON and validate it.

    Returns None when the row has no prediction. Raises :class:`ConfigError` naming the row when the
    prediction does not fit the config (unknown label, wrong tag, malformed item).

    Examples
    --------
    >>> from ls_notebook import configs
    >>> li = configs.interface(configs.ner(["PER"]))
    >>> p = to_prediction([(0, 3, "PER")], li, {"text": "Ann runs"}, row=0, model_version="v1")
    >>> p["result"][0]["value"], p["model_version"]
    ({'start': 0, 'end': 3, 'labels': ['PER'], 'text': 'Ann'}, 'v1')
    """
    if _is_missing(simple):
        return None
    prediction: dict[str, Any] = {}
    if isinstance(simple, Mapping) and "result" in simple:
        prediction.update({k: v for k, v in simple.items() if k != "result"})
        simple = simple["result"]
    prediction["result"] = _result(li, simple, data, row)
    if model_version is not None and "model_version" not in prediction:
        prediction["model_version"] = str(model_version)
    errors = li.validate_prediction(prediction, return_errors=True)
    if errors:
        controls = [c.name for c in li.controls]
        raise ConfigError(
            f"Row {row!r}: the prediction does not fit the label config: {'; '.join(errors)}. Fix the "
            f"prediction to use the config's control tags {controls} and their labels."
        )
    return prediction
