"""Label config builders and validation (pure: no server, no I/O).

Every builder returns an XML string that label-studio-sdk's ``LabelInterface`` accepted. Data
columns default to ``text``, ``image`` and ``audio`` (the ``$text`` / ``$image`` / ``$audio``
variables) and are renamed with ``column=``; the control tag's name (the ``from_name`` of pulled
results) is ``name=``.

Examples
--------
>>> from ls_notebook import configs
>>> xml = configs.ner(["PER", "ORG"], column="sentence")
>>> [v.column for v in configs.data_variables(xml)]
['sentence']
"""

from ls_notebook.configs._builders import (
    audio_transcription,
    image_classification,
    keypoints,
    ner,
    object_detection,
    ocr,
    pairwise_comparison,
    polygon_segmentation,
    rating,
    relation_extraction,
    text_classification,
    text_summarization,
)
from ls_notebook.configs._validate import DataVariable, data_variables, interface, validate

__all__ = [
    "DataVariable",
    "audio_transcription",
    "data_variables",
    "image_classification",
    "interface",
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
    "validate",
]
