"""Audio segments come back in seconds, exactly, from every pull path (a real WAV file on the server)."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pandas as pd
import pytest

from ls_notebook import configs
from tests._support import unique_title

pytestmark = pytest.mark.server

SEGMENTS = """
<View>
  <Labels name="labels" toName="audio"><Label value="Speech"/><Label value="Noise"/></Labels>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcription" toName="audio" perRegion="true" editable="true"/>
</View>
"""


def tone(path: Path, seconds: float = 5.0, rate: int = 8000) -> Path:
    """A mono 16-bit WAV file of a 440 Hz tone."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate)))
        out.writeframes(b"".join(struct.pack("<h", f) for f in frames))
    return path


def segment(rid: str, start: float, end: float, label: str, words: str) -> list[dict]:
    """A region as the editor saves it: its label, and its transcription with the same id."""
    where = {"start": start, "end": end, "channel": 0}
    return [
        {"id": rid, "from_name": "labels", "to_name": "audio", "type": "labels", "origin": "manual",
         "value": {**where, "labels": [label]}},
        {"id": rid, "from_name": "transcription", "to_name": "audio", "type": "textarea",
         "origin": "manual", "value": {**where, "text": [words]}},
    ]  # fmt: skip


def test_audio_segments_in_seconds(server, tmp_path):
    project = server.project(unique_title("audio"), configs.validate(SEGMENTS))
    df = pd.DataFrame({"audio": [tone(tmp_path / "tone.wav")]})
    res = project.push(df, progress=False)
    task_id = int(res.task_ids.iloc[0])
    assert project.server.client.tasks.get(id=task_id).data["audio"].startswith("/data/upload/")
    result = [
        *segment("seg1", 0.3470588235294118, 1.7305, "Speech", "hello there"),
        *segment("seg2", 2, 3, "Noise", "(hum)"),  # whole seconds: JSON integers
    ]
    server.client.annotations.create(id=task_id, result=result, lead_time=3.0)
    api = project.pull_arrow(source="api", progress=False)
    for source in ("db", "cache", "auto"):
        assert project.pull_arrow(source=source, progress=False).equals(api), source
    out = project.pull(progress=False)
    audio = out[out["to_name"] == "audio"]
    columns = ["type", "start_time", "end_time", "label", "value"]
    got = [tuple(None if pd.isna(v) else v for v in row) for row in audio[columns].itertuples(index=False)]
    assert got == [
        ("labels", 0.3470588235294118, 1.7305, "Speech", None),
        ("textarea", 0.3470588235294118, 1.7305, None, "hello there"),
        ("labels", 2.0, 3.0, "Noise", None),
        ("textarea", 2.0, 3.0, None, "(hum)"),
    ]
    assert len(audio) == 4 and audio["start"].isna().all() and audio["end"].isna().all()
    assert str(out["start_time"].dtype) == "double[pyarrow]" and str(out["start"].dtype) == "int64[pyarrow]"
