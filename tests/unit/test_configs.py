"""Label config builders: every one validates, renames columns, and refuses bad input."""

from __future__ import annotations

import pytest

from ls_notebook import configs
from ls_notebook.errors import ConfigError

BUILDERS = {
    "text_classification": (lambda **kw: configs.text_classification(["a", "b"], **kw), ["text"]),
    "ner": (lambda **kw: configs.ner(["PER", "ORG"], **kw), ["text"]),
    "relation_extraction": (lambda **kw: configs.relation_extraction(["PER"], ["knows"], **kw), ["text"]),
    "image_classification": (lambda **kw: configs.image_classification(["cat"], **kw), ["image"]),
    "object_detection": (lambda **kw: configs.object_detection(["car"], **kw), ["image"]),
    "polygon_segmentation": (lambda **kw: configs.polygon_segmentation(["road"], **kw), ["image"]),
    "keypoints": (lambda **kw: configs.keypoints(["nose"], **kw), ["image"]),
    "ocr": (lambda **kw: configs.ocr(["Text"], **kw), ["image"]),
    "audio_transcription": (lambda **kw: configs.audio_transcription(**kw), ["audio"]),
    "text_summarization": (lambda **kw: configs.text_summarization(**kw), ["text"]),
    "rating": (lambda **kw: configs.rating(5, **kw), ["text"]),
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_builder_validates_and_renames(builder):
    make, columns = BUILDERS[builder]
    xml = make()
    assert configs.validate(xml) == xml
    assert [v.column for v in configs.data_variables(xml)] == columns
    renamed = make(column="col_x")
    assert [v.column for v in configs.data_variables(renamed)] == ["col_x"]


def test_pairwise_columns():
    xml = configs.pairwise_comparison(left="a", right="b")
    assert [v.column for v in configs.data_variables(xml)] == ["a", "b"]
    with pytest.raises(ConfigError, match="two different columns"):
        configs.pairwise_comparison(left="a", right="a")


def test_multi_choice():
    assert 'choice="multiple"' in configs.text_classification(["a", "b"], multi=True)


def test_labels_are_escaped():
    xml = configs.text_classification(['say "hi" & <bye>', "ok"])
    li = configs.interface(xml)
    assert li.get_control("label").labels == ['say "hi" & <bye>', "ok"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: configs.text_classification([]), "No labels"),
        (lambda: configs.ner(["a", "a"]), "Duplicate labels"),
        (lambda: configs.rating(0), "max must be an integer"),
        (lambda: configs.validate("<View><Text name='t'></View>"), "Invalid label config"),
        (lambda: configs.validate(""), "empty"),
        (lambda: configs.validate("<View><Header value='x'/></View>"), "no object tag"),
    ],
)
def test_bad_configs(call, match):
    with pytest.raises(ConfigError, match=match):
        call()


def test_data_variable_describe():
    (var,) = configs.data_variables(configs.ner(["A"], column="body"))
    assert var.describe() == '<Text name="body" value="$body">'
