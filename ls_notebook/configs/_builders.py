"""Builders of the common label configs: each returns a validated XML string."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

from ls_notebook.configs._validate import validate
from ls_notebook.errors import ConfigError

__all__ = [
    "audio_transcription",
    "image_classification",
    "keypoints",
    "ner",
    "object_detection",
    "ocr",
    "pairwise_comparison",
    "polygon_segmentation",
    "rating",
    "relation_extraction",
    "text_classification",
    "text_summarization",
]


def _tag(tag: str, children: Sequence[str] = (), **attrs: object) -> str:
    text = " ".join(f"{k.rstrip('_')}={quoteattr(str(v))}" for k, v in attrs.items() if v is not None)
    head = f"<{tag} {text}" if text else f"<{tag}"
    if not children:
        return head + "/>"
    inner = "".join(f"\n  {c}" for c in children)
    return f"{head}>{inner}\n</{tag}>"


def _view(*children: str) -> str:
    body = "\n".join("  " + line for c in children for line in c.splitlines())
    return validate(f"<View>\n{body}\n</View>")


def _labels(labels: Iterable[str], what: str = "labels") -> list[str]:
    if isinstance(labels, str):
        labels = [labels]
    out = [str(label) for label in labels]
    if not out:
        raise ConfigError(f"No {what} given: pass a non-empty list, e.g. ['positive', 'negative'].")
    dupes = sorted({label for label in out if out.count(label) > 1})
    if dupes:
        raise ConfigError(f"Duplicate {what} {dupes}: each value must appear once.")
    return out


def _children(tag: str, values: Iterable[str], what: str = "labels") -> list[str]:
    return [_tag(tag, value=v) for v in _labels(values, what)]


def text_classification(
    labels: Iterable[str], multi: bool = False, *, column: str = "text", name: str = "label"
) -> str:
    """Choose one (or, with ``multi=True``, several) of ``labels`` for the text in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> print(configs.text_classification(["positive", "negative"]))
    <View>
      <Text name="text" value="$text"/>
      <Choices name="label" toName="text" choice="single">
        <Choice value="positive"/>
        <Choice value="negative"/>
      </Choices>
    </View>
    """
    choice = "multiple" if multi else "single"
    return _view(
        _tag("Text", name=column, value=f"${column}"),
        _tag("Choices", _children("Choice", labels), name=name, toName=column, choice=choice),
    )


def image_classification(
    labels: Iterable[str], multi: bool = False, *, column: str = "image", name: str = "label"
) -> str:
    """Choose one (or several) of ``labels`` for the image whose URL/path is in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> "<Image name=\\"image\\" value=\\"$image\\"/>" in configs.image_classification(["cat", "dog"])
    True
    """
    choice = "multiple" if multi else "single"
    return _view(
        _tag("Image", name=column, value=f"${column}"),
        _tag("Choices", _children("Choice", labels), name=name, toName=column, choice=choice),
    )


def ner(labels: Iterable[str], *, column: str = "text", name: str = "label") -> str:
    """Mark spans of the text in ``column`` with one of ``labels`` (named entities).

    Examples
    --------
    >>> from ls_notebook import configs
    >>> print(configs.ner(["PER", "ORG"]))
    <View>
      <Labels name="label" toName="text">
        <Label value="PER"/>
        <Label value="ORG"/>
      </Labels>
      <Text name="text" value="$text"/>
    </View>
    """
    return _view(
        _tag("Labels", _children("Label", labels), name=name, toName=column),
        _tag("Text", name=column, value=f"${column}"),
    )


def relation_extraction(
    labels: Iterable[str], relations: Iterable[str], *, column: str = "text", name: str = "label"
) -> str:
    """Mark entity spans with ``labels`` and link them with directed ``relations``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> xml = configs.relation_extraction(["PER", "ORG"], ["works_for"])
    >>> '<Relation value="works_for"/>' in xml
    True
    """
    return _view(
        _tag("Relations", _children("Relation", relations, "relations")),
        _tag("Labels", _children("Label", labels), name=name, toName=column),
        _tag("Text", name=column, value=f"${column}"),
    )


def object_detection(labels: Iterable[str], *, column: str = "image", name: str = "label") -> str:
    """Draw labeled bounding boxes (rectangles) on the image in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> "<RectangleLabels" in configs.object_detection(["car", "person"])
    True
    """
    return _view(
        _tag("Image", name=column, value=f"${column}"),
        _tag("RectangleLabels", _children("Label", labels), name=name, toName=column),
    )


def polygon_segmentation(labels: Iterable[str], *, column: str = "image", name: str = "label") -> str:
    """Draw labeled polygons on the image in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> "<PolygonLabels" in configs.polygon_segmentation(["road"])
    True
    """
    return _view(
        _tag("Image", name=column, value=f"${column}"),
        _tag("PolygonLabels", _children("Label", labels), name=name, toName=column),
    )


def keypoints(labels: Iterable[str], *, column: str = "image", name: str = "label") -> str:
    """Place labeled key points on the image in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> "<KeyPointLabels" in configs.keypoints(["nose", "eye"])
    True
    """
    return _view(
        _tag("Image", name=column, value=f"${column}"),
        _tag("KeyPointLabels", _children("Label", labels), name=name, toName=column),
    )


def ocr(
    labels: Iterable[str] = ("Text",),
    *,
    column: str = "image",
    name: str = "label",
    transcription: str = "transcription",
) -> str:
    """Draw labeled boxes on the image in ``column`` and transcribe each box's text.

    The transcription is a per-region ``<TextArea>``: its results share the box's ``region_id``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> xml = configs.ocr()
    >>> '<TextArea name="transcription" toName="image" perRegion="true"' in xml
    True
    """
    return _view(
        _tag("Image", name=column, value=f"${column}"),
        _tag("RectangleLabels", _children("Label", labels), name=name, toName=column),
        _tag(
            "TextArea",
            name=transcription,
            toName=column,
            perRegion="true",
            editable="true",
            displayMode="region-list",
        ),
    )


def audio_transcription(*, column: str = "audio", name: str = "transcription") -> str:
    """Write the transcript of the audio file in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> '<Audio name="audio" value="$audio"/>' in configs.audio_transcription()
    True
    """
    return _view(
        _tag("Audio", name=column, value=f"${column}"),
        _tag("TextArea", name=name, toName=column, editable="true", maxSubmissions="1"),
    )


def text_summarization(*, column: str = "text", name: str = "summary") -> str:
    """Write a summary of the text in ``column``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> '<TextArea name="summary" toName="text"' in configs.text_summarization()
    True
    """
    return _view(
        _tag("Text", name=column, value=f"${column}"),
        _tag("TextArea", name=name, toName=column, editable="true", maxSubmissions="1"),
    )


def rating(max: int = 5, *, column: str = "text", name: str = "rating") -> str:
    """Rate the text in ``column`` from 1 to ``max`` stars.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> '<Rating name="rating" toName="text" maxRating="10"/>' in configs.rating(10)
    True
    """
    if isinstance(max, bool) or not isinstance(max, int) or not 1 <= max <= 100:
        raise ConfigError(f"rating(max={max!r}): max must be an integer from 1 to 100.")
    return _view(
        _tag("Text", name=column, value=f"${column}"),
        _tag("Rating", name=name, toName=column, maxRating=max),
    )


def pairwise_comparison(*, left: str = "left", right: str = "right", name: str = "comparison") -> str:
    """Choose the better of two texts, in columns ``left`` and ``right``.

    The result's ``label`` is ``"left"`` or ``"right"``.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> '<Pairwise name="comparison" toName="left,right"/>' in configs.pairwise_comparison()
    True
    """
    if left == right:
        raise ConfigError(f"pairwise_comparison needs two different columns, got {left!r} twice.")
    return _view(
        _tag("Text", name=left, value=f"${left}"),
        _tag("Text", name=right, value=f"${right}"),
        _tag("Pairwise", name=name, toName=f"{left},{right}"),
    )
