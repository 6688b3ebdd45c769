"""Write the workflow notebooks (source of truth for their cells); run tools/run_notebooks.py for outputs.

Usage: ``python tools/make_notebooks.py [NAME ...]`` writes ``notebooks/NAME.ipynb`` (all by default).
Cells whose output changes from run to run (ports, ids, progress) start with ``# NBVAL_IGNORE_OUTPUT``;
the others are checked by nbval, so they print rounded numbers, counts and sorted lists.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat as nbf

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell
IGNORE = "# NBVAL_IGNORE_OUTPUT\n"

# The last cell of a notebook with an inline editor: the server keeps running, so the editor stays live
# after Run All (the test run stops it in its own teardown, notebooks/conftest.py).
KEEP_RUNNING = (
    "The server keeps running after this notebook, so the editor above stays live: label in it, then "
    "run the `pull` cells again. Stop the server when you are done with `server.stop()` (or "
    "`%labelstudio stop`); its data stays in its data dir, and the next `lsn.start()` picks it up "
    "again in seconds."
)

STAND_IN = (
    "**Test stand-in for people's clicks.** In an interactive session, people label in the editor "
    "above (or in Label Studio). So that this notebook also runs unattended (CI runs it under nbval), "
    "the next cell makes the same annotations through the SDK on behalf of named annotators, with "
    "`project.annotate(...)`. Skip it when you label by hand."
)

# -------------------------------------------------------------------------------------------------------
CONTINUOUS_LOOP = [
    md(
        "# Continuous labeling loop\n\n"
        "New data keeps arriving; people label a little of it; a model trained on those labels pre-labels "
        "the rest, and the tasks it is least sure about are labeled next (active learning). Each round:\n\n"
        "1. `project.sync(df, key=...)` pushes only the rows that are new since the last sync;\n"
        "2. `project.prelabel(model)` runs the model in this kernel and uploads predictions with scores;\n"
        "3. `project.queue()` orders unlabeled tasks from least to most confident — the inline editor and "
        "Label Studio's own queue (`use_uncertainty_sampling`) serve them in that order;\n"
        "4. `project.watch(min_new=...)` waits until enough new labels arrived, then the model is retrained."
    ),
    code(
        IGNORE + "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
        "from sklearn.feature_extraction.text import TfidfVectorizer\n"
        "from sklearn.linear_model import LogisticRegression\nfrom sklearn.pipeline import make_pipeline\n\n"
        "import ls_notebook as lsn\n\nserver = lsn.start()"
    ),
    md(
        "A stream of short product reviews (generated, so the notebook needs no download). `truth` is what "
        "a careful annotator would answer; it is *not* pushed — it only drives the simulated annotators and "
        "the held-out accuracy."
    ),
    code(
        "rng = np.random.default_rng(7)\n"
        'POS = ["great", "love", "excellent", "perfect", "happy", "recommend", "works", "solid"]\n'
        'NEG = ["broken", "awful", "refund", "poor", "waste", "disappointed", "fails", "cheap"]\n'
        'FILLER = ["the", "battery", "screen", "price", "delivery", "it", "was", "really", "and", "case"]\n\n\n'
        "def review(positive: bool) -> str:\n"
        "    cue = POS if positive else NEG\n"
        "    other = NEG if positive else POS\n"
        "    words = list(rng.choice(FILLER, 5)) + list(rng.choice(cue, 2))\n"
        "    if rng.random() < 0.25:  # some reviews are mixed, hence hard\n"
        "        words += list(rng.choice(other, 1))\n"
        "    rng.shuffle(words)\n"
        '    return " ".join(words)\n\n\n'
        "truth_values = rng.random(260) < 0.5\n"
        'stream = pd.DataFrame({"id": [f"rev-{i:03d}" for i in range(260)],\n'
        '                       "text": [review(p) for p in truth_values]})\n'
        'truth = pd.Series(np.where(truth_values, "positive", "negative"), index=stream["id"])\n'
        "test = stream.iloc[200:]            # held out: never pushed, used to measure the model\n"
        "arrivals = [stream.iloc[:80], stream.iloc[:140], stream.iloc[:200]]  # the frame grows\n"
        "len(stream), truth.value_counts().sort_index().to_dict()"
    ),
    code(
        'config = lsn.configs.text_classification(["positive", "negative"], name="sentiment")\n'
        'project = server.project("Continuous loop: reviews", config=config)\n'
        'annotator = server.create_user("ann@example.org", first_name="Ann")\n'
        'added = project.sync(arrivals[0], key="id", progress=False)\n'
        "len(added), project.task_count"
    ),
    md("## Round 0: a few labels by hand\n\nThe first 20 tasks are labeled without any model. " + STAND_IN),
    code(
        "# TEST STAND-IN: Ann labels the first 20 tasks (in the editor when run interactively).\n"
        'first = added.head(20)\nproject.annotate(dict(zip(first["task_id"], truth[first["id"]])), annotator=annotator)'
    ),
    code(
        "def training_data():\n"
        '    """Texts and labels of every labeled task (pull(): one row per choice; task data as data.*)."""\n'
        "    labels = project.pull(progress=False)\n"
        '    labels = labels[labels["from_name"] == "sentiment"].drop_duplicates("task_id")\n'
        '    return labels["data.text"].astype(str), labels["label"].astype(str)\n\n\n'
        "def fit():\n"
        "    texts, labels = training_data()\n"
        "    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(texts, labels)\n\n\n"
        "def accuracy(model) -> float:\n"
        '    return float((model.predict(test["text"]) == truth[test["id"]].to_numpy()).mean())\n\n\n'
        "model = fit()\nhistory = [(len(training_data()[1]), accuracy(model))]\n"
        'print(f"round 0: {history[-1][0]} labels, held-out accuracy {history[-1][1]:.2f}")'
    ),
    md(
        "## Pre-label and queue by uncertainty\n\n"
        "`prelabel` gives the model the column the config reads (`text`, as a Series — what a scikit-learn "
        "text pipeline expects); the most probable class becomes the predicted choice and its probability "
        "the score. Tasks that already have a prediction of this `model_version` are skipped."
    ),
    code(IGNORE + 'result = project.prelabel(model, model_version="round-0")\nresult'),
    code("result.created, result.skipped, bool(result.scores.between(0.5, 1).all())"),
    code(IGNORE + "queue = project.queue()\nqueue.head(8)"),
    code(
        "# least confident first: scores never decrease along the queue, labeled tasks are left out\n"
        'bool(queue["score"].is_monotonic_increasing), len(queue), queue["model_version"].unique().tolist()'
    ),
    md(
        "Label the least confident tasks first, inline (the editor shows the model's prediction as a "
        "pre-annotation), and make Label Studio's own label stream use the same order:"
    ),
    code(IGNORE + 'editor = project.label(tasks=queue["task_id"].head(10).tolist())\neditor'),
    code("project.use_uncertainty_sampling()"),
    md(
        "## The loop\n\n"
        "Each round new rows arrive (`sync` sends only those), the current model pre-labels them, Ann "
        "labels the 20 least confident tasks, and `watch` hands over the new labels once 20 arrived; "
        "then the model is retrained. In a live session the `watcher.wait()` line blocks until people "
        "have labeled enough; the status line under the cell shows its progress."
    ),
    code(IGNORE + "watcher = project.watch(min_new=20, interval=2)\nwatcher"),
    code(
        "for round_, frame in enumerate(arrivals[1:] + [arrivals[-1]], start=1):\n"
        '    new = project.sync(frame, key="id", progress=False)\n'
        '    project.prelabel(model, model_version=f"round-{round_ - 1}", progress=False)\n'
        '    todo = project.queue(model_version=f"round-{round_ - 1}").head(20)\n'
        "    # TEST STAND-IN: Ann labels the 20 least confident tasks (in the editor when interactive).\n"
        '    project.annotate(dict(zip(todo["task_id"], truth[todo["key"]])), annotator=annotator)\n'
        "    batch = watcher.wait(timeout=600)\n"
        "    model = fit()\n"
        "    history.append((len(training_data()[1]), accuracy(model)))\n"
        "    print(f\"round {round_}: {len(new)} new rows, {batch['annotation_id'].nunique()} new labels, \"\n"
        '          f"{history[-1][0]} labels in all, held-out accuracy {history[-1][1]:.2f}")\n'
        "watcher.stop()"
    ),
    code(
        "labels, acc = zip(*history)\n"
        "fig, ax = plt.subplots(figsize=(5, 3))\n"
        'ax.plot(labels, acc, marker="o")\n'
        'ax.set(xlabel="labeled tasks", ylabel="held-out accuracy", ylim=(0.4, 1.02), title="Accuracy over rounds")\n'
        "plt.close(fig)\nfig"
    ),
    code(
        "# the loop learned: more labels than at the start, and accuracy not below round 0\n"
        "labels[-1], acc[-1] >= acc[0], project.task_count"
    ),
    code("project.use_uncertainty_sampling(enabled=False)"),
    md(KEEP_RUNNING),
]

# -------------------------------------------------------------------------------------------------------
NER = [
    md(
        "# Named entities with pre-annotations\n\n"
        "Push sentences, pre-annotate spans with a simple rule (a gazetteer — any model returning "
        "`(start, end, label)` spans works the same way), correct them as an annotator, and pull the spans "
        "with their character offsets."
    ),
    code(IGNORE + "import re\n\nimport pandas as pd\n\nimport ls_notebook as lsn\n\nserver = lsn.start()"),
    code(
        "sentences = pd.DataFrame({\n"
        '    "id": ["s1", "s2", "s3", "s4", "s5", "s6"],\n'
        '    "text": [\n'
        '        "Ada Lovelace worked with Charles Babbage in London.",\n'
        '        "Grace Hopper joined the Navy and later Remington Rand.",\n'
        '        "Alan Turing was born in London and studied at Cambridge.",\n'
        '        "Katherine Johnson computed trajectories for NASA in Virginia.",\n'
        '        "Tim Berners-Lee proposed the web at CERN near Geneva.",\n'
        '        "Margaret Hamilton led software engineering for Apollo at MIT.",\n'
        "    ],\n"
        "})\n"
        'config = lsn.configs.ner(["PER", "ORG", "LOC"])\n'
        'project = server.project("NER: computing pioneers", config=config)\n'
        'project.push(sentences, key="id", progress=False)'
    ),
    md(
        "The rule: a small gazetteer of organisations and places, and capitalised word pairs as people. "
        "It returns one list of spans per task; a score makes the spans' confidence visible in Label Studio."
    ),
    code(
        'GAZETTEER = {"ORG": ["Navy", "Remington Rand", "Cambridge", "NASA", "CERN", "MIT"],\n'
        '             "LOC": ["London", "Virginia", "Geneva"]}\n'
        'PERSON = re.compile(r"\\b[A-Z][a-z]+ [A-Z][a-z]+(?:-[A-Z][a-z]+)?\\b")\n\n\n'
        "def gazetteer(texts: pd.Series) -> list:\n"
        "    out = []\n"
        "    for text in texts:\n"
        "        spans = [(m.start(), m.end(), label) for label, names in GAZETTEER.items()\n"
        "                 for name in names for m in re.finditer(re.escape(name), text)]\n"
        "        taken = [(s, e) for s, e, _ in spans]\n"
        '        spans += [(m.start(), m.end(), "PER") for m in PERSON.finditer(text)\n'
        "                  if not any(s < m.end() and m.start() < e for s, e in taken)]\n"
        '        out.append({"result": sorted(spans), "score": 0.6})\n'
        "    return out\n\n\n"
        'result = project.prelabel(gazetteer, model_version="gazetteer-v1", progress=False)\n'
        "result"
    ),
    code(
        "predicted = project.pull(include_predictions=True, progress=False)\n"
        'predicted = predicted[predicted["source"] == "prediction"]\n'
        'predicted.groupby("label").size().to_dict()'
    ),
    md(
        "Correct in the editor: the rule finds most entities but misses *Apollo* (a programme, tagged ORG "
        "here). An annotator accepts the rule's spans and adds the missing one."
    ),
    code(IGNORE + "editor = project.label()\neditor"),
    md(STAND_IN),
    code(
        "# TEST STAND-IN: Ann accepts the rule's spans and relabels 'Apollo' (missed) as ORG.\n"
        'ann = server.create_user("ann@example.org")\n'
        "spans = {}\n"
        'for task_id, group in predicted.groupby("task_id"):\n'
        '    spans[task_id] = [(int(s), int(e), str(l)) for s, e, l in zip(group["start"], group["end"], group["label"])]\n'
        'task_of = dict(zip(predicted["key"], predicted["task_id"]))\n'
        's6 = sentences.loc[sentences["id"] == "s6", "text"].iloc[0]\n'
        'spans[task_of["s6"]].append((s6.index("Apollo"), s6.index("Apollo") + len("Apollo"), "ORG"))\n'
        "project.annotate(spans, annotator=ann)"
    ),
    md(
        "Pull the spans: `start`/`end` are character offsets into the task's text, `text` the covered string."
    ),
    code(
        "labels = project.pull(progress=False)\n"
        'labels[["key", "label", "start", "end", "text"]].sort_values(["key", "start"]).head(8)'
    ),
    code(
        "# offsets index the pushed text exactly\n"
        'source = dict(zip(sentences["id"], sentences["text"]))\n'
        'all(source[k][s:e] == t for k, s, e, t in zip(labels["key"], labels["start"], labels["end"], labels["text"]))'
    ),
    code('labels.groupby("label").size().to_dict(), len(labels)'),
    code(IGNORE + 'path = project.export("ner_conll.conll", format="CONLL2003")\npath'),
    code('"Apollo" in path.read_text() and "B-ORG" in path.read_text()'),
    code("path.unlink()"),
    md(KEEP_RUNNING),
]

# -------------------------------------------------------------------------------------------------------
IMAGE_DETECTION = [
    md(
        "# Boxes and polygons on images\n\n"
        "Generated images (no download): squares and triangles on a plain background. Pre-annotate "
        "squares as boxes and triangles as polygons from the drawing's own geometry, correct them inline, "
        "pull the regions, and export COCO and YOLO."
    ),
    code(
        IGNORE + "from pathlib import Path\nimport json\nimport zipfile\n\n"
        "import numpy as np\nimport pandas as pd\nfrom PIL import Image, ImageDraw\n\n"
        "import ls_notebook as lsn\n\nserver = lsn.start()"
    ),
    code(
        'folder = Path("images")\nfolder.mkdir(exist_ok=True)\nrng = np.random.default_rng(3)\nrows = []\n'
        "for i in range(6):\n"
        '    img = Image.new("RGB", (160, 120), (235, 235, 225))\n'
        "    draw = ImageDraw.Draw(img)\n"
        "    x, y, s = (int(v) for v in rng.integers([5, 5, 25], [70, 60, 45]))\n"
        "    draw.rectangle([x, y, x + s, y + s], fill=(40, 90, 200))\n"
        "    tx, ty = int(rng.integers(95, 120)), int(rng.integers(15, 60))\n"
        "    triangle = [(tx, ty), (tx + 30, ty + 45), (tx - 20, ty + 45)]\n"
        "    draw.polygon(triangle, fill=(210, 60, 40))\n"
        '    path = folder / f"shapes_{i}.png"\n'
        "    img.save(path)\n"
        '    rows.append({"id": f"img{i}", "image": str(path), "square": (x, y, s),\n'
        '                 "triangle": [(100 * px / 160, 100 * py / 120) for px, py in triangle]})\n'
        "images = pd.DataFrame(rows)\nlen(images)"
    ),
    code(
        'config = """\n<View>\n  <Image name="image" value="$image"/>\n'
        '  <RectangleLabels name="box" toName="image">\n    <Label value="square"/>\n  </RectangleLabels>\n'
        '  <PolygonLabels name="shape" toName="image">\n    <Label value="triangle"/>\n  </PolygonLabels>\n'
        '</View>\n"""\n'
        'project = server.project("Shapes: boxes and polygons", config=config)\n'
        "\n\ndef regions(row):\n"
        '    """A box in pixels of the 160×120 image, and a polygon in percent."""\n'
        '    x, y, s = row["square"]\n'
        '    return [(x, y, s, s, "square", 160, 120), (row["triangle"], "triangle")]\n\n\n'
        'project.push(images[["id", "image"]], key="id", predictions=images.apply(regions, axis=1),\n'
        '             model_version="geometry", progress=False)'
    ),
    md(
        "The inline editor reads the image files from this folder (`media_roots`), so they need not be "
        "served by Label Studio:"
    ),
    code(IGNORE + "editor = project.label(media_roots=[folder])\neditor"),
    md(STAND_IN),
    code(
        "# TEST STAND-IN: Bo accepts the pre-annotations (the editor's 'submit' on each task).\n"
        'bo = server.create_user("bo@example.org")\n'
        'task_ids = dict(zip(project.pull(include_unannotated=True, progress=False)["key"],\n'
        '                    project.pull(include_unannotated=True, progress=False)["task_id"]))\n'
        'project.annotate({task_ids[r["id"]]: regions(r) for _, r in images.iterrows()}, annotator=bo)'
    ),
    code(
        "regions_df = project.pull(progress=False)\n"
        'regions_df.groupby(["from_name", "label"]).size().to_dict()'
    ),
    code(
        "# boxes come back in percent of the image; the first image's square, in pixels:\n"
        'first = regions_df[(regions_df["key"] == "img0") & (regions_df["type"] == "rectanglelabels")].iloc[0]\n'
        '[round(float(v) * size / 100) for v, size in zip(first[["x", "y", "width", "height"]], (160, 120, 160, 120))], '
        'list(images.loc[0, "square"])'
    ),
    code(
        'points = regions_df.loc[regions_df["type"] == "polygonlabels", "points"]\n'
        "sorted({len(p) for p in points})"
    ),
    md("Export in the formats detection trainers read. COCO keeps boxes and polygons; YOLO keeps boxes:"),
    code(
        IGNORE
        + 'coco = project.export("shapes_coco.zip", format="COCO")\nyolo = project.export("shapes_yolo.zip", format="YOLO")\ncoco, yolo'
    ),
    code(
        "with zipfile.ZipFile(coco) as z:\n"
        '    data = json.loads(z.read("result.json"))\n'
        'sorted(c["name"] for c in data["categories"]), len(data["images"]), len(data["annotations"])'
    ),
    code(
        "with zipfile.ZipFile(yolo) as z:\n"
        '    label_files = [n for n in z.namelist() if n.startswith("labels/") and n.endswith(".txt")]\n'
        "    boxes = [line for n in label_files for line in z.read(n).decode().splitlines() if line.strip()]\n"
        "len(label_files), len(boxes)"
    ),
    code(
        'coco.unlink()\nyolo.unlink()\nfor p in folder.glob("shapes_*.png"):\n    p.unlink()\nfolder.rmdir()'
    ),
    md(KEEP_RUNNING),
]

# -------------------------------------------------------------------------------------------------------
AGREEMENT = [
    md(
        "# Agreement and review\n\n"
        "Three annotators label the same tasks; measure how much they agree, review the tasks they disagree "
        "on most, and write consensus labels back to Label Studio as ground truth."
    ),
    code(IGNORE + "import pandas as pd\n\nimport ls_notebook as lsn\n\nserver = lsn.start()"),
    code(
        'tickets = pd.DataFrame({"id": [f"t{i:02d}" for i in range(12)], "text": [\n'
        '    "App crashes when I open settings", "Please add dark mode", "Charged twice this month",\n'
        '    "Login fails after update", "Would love an export button", "Refund has not arrived",\n'
        '    "Screen freezes on startup", "Can you support Markdown?", "Invoice shows the wrong VAT",\n'
        '    "Sync stopped working", "Feature idea: shared folders", "Card declined but money taken",\n'
        "]})\n"
        'config = lsn.configs.text_classification(["bug", "feature", "billing"], name="topic")\n'
        'project = server.project("Agreement: support tickets", config=config)\n'
        'project.push(tickets, key="id", progress=False)'
    ),
    code(
        'annotators = {name: server.create_user(f"{name}@example.org", first_name=name.title())\n'
        '              for name in ("ann", "bob", "cid")}\n'
        "sorted(u.email for u in annotators.values())"
    ),
    md('Each annotator labels in the editor (`project.label(annotator="bob@example.org")`). ' + STAND_IN),
    code(IGNORE + 'editor = project.label(annotator="bob@example.org")\neditor'),
    code(
        "# TEST STAND-IN: the three annotators' answers (they disagree on a few tickets).\n"
        "answers = {\n"
        '    "ann": ["bug", "feature", "billing", "bug", "feature", "billing", "bug", "feature", "billing", "bug", "feature", "billing"],\n'
        '    "bob": ["bug", "feature", "billing", "bug", "feature", "billing", "bug", "bug", "billing", "bug", "feature", "bug"],\n'
        '    "cid": ["bug", "bug", "billing", "bug", "feature", "billing", "feature", "feature", "bug", "bug", "feature", "billing"],\n'
        "}\n"
        'keys = project.pull(include_unannotated=True, progress=False).drop_duplicates("task_id")\n'
        'task_of = dict(zip(keys["key"], keys["task_id"]))\n'
        'ids = [task_of[k] for k in tickets["id"]]\n'
        "{name: project.annotate(dict(zip(ids, labels)), annotator=annotators[name]) for name, labels in answers.items()}"
    ),
    code(
        "labels = project.pull(progress=False)\n"
        "report = lsn.agreement(labels)\n"
        'summary = report.summary.loc["topic"]\n'
        '[int(v) for v in summary[["n_tasks", "n_annotators", "n_annotations"]]], '
        'summary[["percent_agreement", "krippendorff_alpha", "fleiss_kappa"]].astype(float).round(3).tolist()'
    ),
    code(IGNORE + "report"),
    code(
        '# pairwise agreement (share of identical answers on shared tasks)\nreport.matrix("topic").round(3)'
    ),
    code(IGNORE + 'report.plot("topic")'),
    md("## Review list\n\nTasks ranked by disagreement — the ones a reviewer should look at first:"),
    code(
        'review = report.per_task.merge(keys[["task_id", "key"]], on="task_id")\n'
        'review = review.merge(tickets.rename(columns={"id": "key"}), on="key")\n'
        'review[review["disagreement"] > 0][["key", "text", "disagreement"]].round(3).reset_index(drop=True)'
    ),
    code(
        IGNORE
        + 'editor = project.label(tasks=review.loc[review["disagreement"] > 0, "task_id"].tolist())\neditor'
    ),
    md(
        "## Consensus back to Label Studio\n\n"
        "The majority label per task, with its vote share. Write it back as a ground-truth annotation of "
        "the reviewer (the admin user here), so Label Studio's data manager and exports carry it:"
    ),
    code(
        'votes = lsn.consensus(labels, from_name="topic")\n'
        'votes = votes.merge(keys[["task_id", "key"]], on="task_id").sort_values("key")\n'
        'votes[["key", "label", "confidence", "n_votes"]].round(3).reset_index(drop=True)'
    ),
    code('project.annotate(dict(zip(votes["task_id"], votes["label"])), ground_truth=True)'),
    code(
        "final = project.pull(progress=False)\n"
        'truth = final[final["ground_truth"].fillna(False).astype(bool)]\n'
        'len(truth), truth["label"].value_counts().sort_index().to_dict()'
    ),
    md(KEEP_RUNNING),
]

# -------------------------------------------------------------------------------------------------------
REMOTE = [
    md(
        "# A remote Label Studio\n\n"
        "Attach to a server that runs elsewhere — a team deployment, Label Studio on Kubernetes or Hugging "
        "Face — by URL and API key, read from the environment so neither lands in the notebook:\n\n"
        "```bash\nexport LABEL_STUDIO_URL=https://labelstudio.example.com\n"
        "export LABEL_STUDIO_API_KEY=...   # Account & Settings → Access token\n```"
    ),
    code("import os\n\nimport pandas as pd\n\nimport ls_notebook as lsn"),
    md(
        "**Test stand-in.** When the variables are not set (as in the unattended test run), the next cell "
        "starts a local server and sets them from it, so the rest of the notebook runs unchanged. With a "
        "real remote server configured, it does nothing."
    ),
    code(
        "# TEST STAND-IN: a local server plays the remote one when LABEL_STUDIO_URL is not set.\n"
        "stand_in = None\n"
        'if not os.environ.get("LABEL_STUDIO_URL"):\n'
        "    from ls_notebook.server import Credentials\n\n"
        "    stand_in = lsn.start(progress=False)\n"
        '    os.environ["LABEL_STUDIO_URL"] = stand_in.url\n'
        '    os.environ["LABEL_STUDIO_API_KEY"] = Credentials.load(stand_in.data_dir).token\n'
        "stand_in is not None"
    ),
    code(
        "server = lsn.attach()   # URL and key from LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY\n"
        'server.is_local, server.running, server.version.count(".") >= 1'
    ),
    code(IGNORE + "server"),
    md(
        "Everything else works as with a local server: projects, push, pull, agreement, the inline editor "
        "(the kernel fetches tasks and media; the browser never needs to reach the server). Only "
        "`stop()` and reading other users' keys are local-only."
    ),
    code(
        'project = server.project("Remote: smoke test", config=lsn.configs.text_classification(["yes", "no"]))\n'
        'project.sync(pd.DataFrame({"id": [1, 2, 3], "text": ["a", "b", "c"]}), key="id", progress=False)\n'
        "project.task_count"
    ),
    md(
        "## PostgreSQL-backed deployments\n\n"
        "Label Studio's embedded SQLite suits one person; a team server uses PostgreSQL. Label Studio reads "
        "the database from its environment (`DJANGO_DB=default`, `POSTGRE_NAME`, `POSTGRE_USER`, "
        "`POSTGRE_PASSWORD`, `POSTGRE_HOST`, `POSTGRE_PORT`), e.g. in docker-compose:\n\n"
        "```yaml\nservices:\n  label-studio:\n    image: heartexlabs/label-studio:latest\n"
        "    environment:\n      - DJANGO_DB=default\n      - POSTGRE_NAME=labelstudio\n"
        "      - POSTGRE_USER=labelstudio\n      - POSTGRE_PASSWORD=...\n      - POSTGRE_HOST=postgres\n"
        "      - POSTGRE_PORT=5432\n      - LABEL_STUDIO_HOST=https://labelstudio.example.com\n```\n\n"
        'Attach to it as above. `ls_notebook.start(database="postgresql://user:pw@host:5432/labelstudio")` '
        "runs a local server on PostgreSQL instead of SQLite (the database must exist; `label-studio` "
        "creates its tables on the first start). Pulls then go through the API and the incremental cache — "
        "the direct database read is for local SQLite only.\n\n"
        "Set `LABEL_STUDIO_HOST` to the public URL (with its path, if served under one) and, behind "
        "https, `LABEL_STUDIO_CSRF_TRUSTED_ORIGINS`, or the login form is refused."
    ),
    md(
        "## Cloud storage (S3) as a task source\n\n"
        "Large media stay in the bucket: Label Studio lists the objects and serves them through pre-signed "
        'URLs. `project.connect_storage("s3://bucket/prefix")` makes the connection (credentials from '
        "the environment go to the server only); underneath it is the SDK's `import_storage.s3`. The cell runs when `S3_BUCKET` (and AWS credentials) are set:"
    ),
    code(
        'if os.environ.get("S3_BUCKET"):\n'
        "    uri = f\"s3://{os.environ['S3_BUCKET']}/{os.environ.get('S3_PREFIX', '')}\"\n"
        '    if hasattr(project, "connect_storage"):   # ls_notebook wraps the SDK call below\n'
        '        storage = project.connect_storage(uri, pattern=r".*\\.(jpe?g|png)$",\n'
        '                                          endpoint_url=os.environ.get("S3_ENDPOINT"))\n'
        "    else:\n"
        "        storage = server.client.import_storage.s3.create(\n"
        "            project=project.id,\n"
        '            bucket=os.environ["S3_BUCKET"],\n'
        '            prefix=os.environ.get("S3_PREFIX", ""),\n'
        '            regex_filter=r".*\\.(jpe?g|png)$",\n'
        "            use_blob_urls=True,           # one task per object\n"
        "            presign=True,\n"
        '            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),\n'
        '            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),\n'
        '            s3endpoint=os.environ.get("S3_ENDPOINT"),   # MinIO or another S3-compatible store\n'
        "        )\n"
        "        server.client.import_storage.s3.sync(id=storage.id)\n"
        '    print("tasks after sync:", project.task_count)\n'
        "else:\n"
        '    print("S3_BUCKET is not set: no storage connected")'
    ),
    code(
        "# TEST STAND-IN: stop the local server that played the remote one (a real remote server stays up).\n"
        "if stand_in is not None:\n"
        '    for name in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):\n'
        "        os.environ.pop(name)\n"
        "    stand_in.stop()"
    ),
]

NOTEBOOKS = {
    "continuous_loop": CONTINUOUS_LOOP,
    "ner": NER,
    "image_detection": IMAGE_DETECTION,
    "agreement_and_review": AGREEMENT,
    "remote_server": REMOTE,
}


def write(name: str) -> Path:
    nb = nbf.v4.new_notebook(cells=NOTEBOOKS[name])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = Path("notebooks") / f"{name}.ipynb"
    path.write_text(nbf.writes(nb))
    return path


if __name__ == "__main__":
    for name in sys.argv[1:] or list(NOTEBOOKS):
        print(write(name))
