"""Write notebooks/model_in_the_loop.ipynb (source of truth for its cells); run it to regenerate outputs."""

from pathlib import Path

import nbformat as nbf
from make_notebooks import IGNORE, KEEP_RUNNING

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell

cells = [
    md(
        "# Model in the loop, and data in object storage\n\n"
        "The notebook's own scikit-learn model serves Label Studio as its ML backend: every task that "
        "opens (in Label Studio or in the inline editor) gets the model's pre-annotation, and each "
        "submitted label retrains the model in the background. The second part keeps images in an "
        "S3-compatible bucket (a local moto server here) and exports the labels back to it."
    ),
    code(
        IGNORE + "import ls_notebook as lsn\n"
        "import pandas as pd\n"
        "from sklearn.feature_extraction.text import CountVectorizer\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.pipeline import make_pipeline\n\n"
        "server = lsn.start()"
    ),
    md(
        "A small review data set with its true labels: a pool to label and a held-out test set "
        "(the true labels stand in for the annotator here)."
    ),
    code(
        'good = ["great", "excellent", "wonderful", "loved the", "brilliant", "superb"]\n'
        'bad = ["awful", "boring", "terrible", "hated the", "dull", "poor"]\n'
        'things = ["film", "plot", "acting", "music", "ending", "cast"]\n'
        'rows = [(f"{w} {t}", label) for t in things\n'
        '        for words, label in ((good, "pos"), (bad, "neg")) for w in words]\n'
        'reviews = pd.DataFrame(rows, columns=["text", "truth"])\n'
        "test = reviews.sample(12, random_state=0)\n"
        "pool = reviews.drop(test.index).reset_index(drop=True)\n"
        "len(pool), len(test)"
    ),
    code(
        'TITLE = "Model in the loop (demo)"\n'
        "for old in server.client.projects.list(title=TITLE):  # a clean slate on every run\n"
        "    server.client.projects.delete(id=old.id)\n"
        'project = server.project(TITLE, lsn.configs.text_classification(["pos", "neg"]))\n'
        'project.push(pool[["text"]], progress=False)'
    ),
    md(
        "## Serve the model\n\n"
        "`serve_model` answers Label Studio's ML backend protocol from this kernel (127.0.0.1, a "
        "background thread) and registers it on the project. `train` runs in a worker thread after "
        "annotations arrive; here it refits on every label so far, and the model version moves on "
        "(`v1`, `v2`, ...)."
    ),
    code(
        "model = make_pipeline(CountVectorizer(), LogisticRegression())\n"
        'model.fit(["great film", "awful plot"], ["pos", "neg"])  # a weak seed model\n\n\n'
        "def retrain(new_labels: pd.DataFrame) -> None:\n"
        "    labels = project.pull(progress=False)  # all labels, not only the new ones\n"
        '    model.fit(labels["data.text"], labels["label"])  # task data columns are "data.*"\n\n\n'
        "ms = project.serve_model(model, train=retrain)\n"
        "ms.model_version"
    ),
    code("# NBVAL_IGNORE_OUTPUT\nms"),
    md(
        "Label inline: the editor shows the model's pre-annotation for each task it opens. "
        "(In this run the cell below labels from code instead, so the notebook runs unattended.)\n\n"
        "```python\n"
        'project.label(tasks="unlabeled")\n'
        "```"
    ),
    md(
        "## Three labeling rounds\n\n"
        "Each round opens eight tasks — Label Studio asks the kernel's model for their pre-annotations, "
        "exactly as when the editor opens them — and submits the true labels. After each round we wait "
        "for training and measure the model on the held-out set."
    ),
    code(
        "client = server.client\n"
        'task_of = {t.data["text"]: t.id for t in client.tasks.list(project=project.id)}\n\n\n'
        "def accuracy() -> float:\n"
        '    return round(float((model.predict(test["text"]) == test["truth"]).mean()), 2)\n\n\n'
        "def choice(label: str) -> list[dict]:\n"
        '    return [{"from_name": "label", "to_name": "text", "type": "choices",\n'
        '             "value": {"choices": [label]}}]\n\n\n'
        'rounds = [{"round": 0, "labels": 0, "pre-annotations right": None, "test accuracy": accuracy()}]\n'
        "order = pool.sample(frac=1, random_state=1)\n"
        "for r in range(1, 4):\n"
        "    batch = order.iloc[(r - 1) * 8 : r * 8]\n"
        "    opened = [client.tasks.get(id=task_of[t]).dict() for t in batch.text]  # asks the model\n"
        '    guesses = [t["predictions"][0]["result"][0]["value"]["choices"][0] for t in opened]\n'
        "    for task, truth in zip(opened, batch.truth):\n"
        '        client.annotations.create(id=task["id"], result=choice(truth))\n'
        "    ms.wait()\n"
        "    right = sum(g == t for g, t in zip(guesses, batch.truth))\n"
        '    rounds.append({"round": r, "labels": 8 * r, "pre-annotations right": f"{right}/8",\n'
        '                   "test accuracy": accuracy()})\n'
        "pd.DataFrame(rounds)"
    ),
    md(
        "The versions the model went through (how many depends on how the labels arrived), and any "
        "error the model raised while serving:"
    ),
    code("# NBVAL_IGNORE_OUTPUT\nms.history"),
    code("ms.errors"),
    code("ms.stop()\nlen(server.client.ml.list(project=project.id))"),
    md(
        "## Images in an S3-compatible bucket\n\n"
        "A local moto server stands in for S3. With real S3, leave out `endpoint_url=` and let boto3 "
        "find your credentials (environment, `~/.aws` profile, role): `connect_storage` reads them when "
        "it runs and gives them to the server only, never to the notebook. The variables below are "
        "dummies for the local server."
    ),
    code(
        "import io, json, logging, os\n"
        "import boto3\n"
        "from moto.server import ThreadedMotoServer\n"
        "from PIL import Image\n\n"
        "from ls_notebook.server._net import free_port\n\n"
        'logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per S3 request\n'
        "port = free_port()\n"
        's3_server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)\n'
        "s3_server.start()\n"
        'endpoint = f"http://127.0.0.1:{port}"\n'
        'os.environ.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", '
        'AWS_DEFAULT_REGION="us-east-1")\n'
        's3 = boto3.client("s3", endpoint_url=endpoint)\n'
        's3.create_bucket(Bucket="shapes")\n'
        'colors = ["red", "green", "blue"]\n'
        "for color in colors:\n"
        "    png = io.BytesIO()\n"
        '    Image.new("RGB", (64, 48), color).save(png, format="PNG")\n'
        '    s3.put_object(Bucket="shapes", Key=f"images/{color}.png", Body=png.getvalue())\n'
        'sorted(o["Key"] for o in s3.list_objects_v2(Bucket="shapes")["Contents"])'
    ),
    md(
        "Connect the bucket as the source of an image project: each image becomes a task whose data "
        "holds its `s3://` URI (a progress bar counts them)."
    ),
    code(
        'IMAGES = "Colors in S3 (demo)"\n'
        "for old in server.client.projects.list(title=IMAGES):\n"
        "    server.client.projects.delete(id=old.id)\n"
        "images = server.project(IMAGES, lsn.configs.image_classification(colors))\n"
        'source = images.connect_storage("s3://shapes/images", endpoint_url=endpoint, '
        'pattern=r".*\\.png", progress=False)\n'
        'source.uri, source.target, source.info()["last_sync_count"]'
    ),
    code(
        "found = server.client.tasks.list(project=images.id, resolve_uri=False)  # as stored\n"
        "tasks = sorted(found, key=lambda t: t.id)\n"
        "[t.data for t in tasks]"
    ),
    md(
        "The kernel reads media through Label Studio (which presigns or proxies it), so the browser "
        "needs no cloud credentials:"
    ),
    code(
        "from ls_notebook.storage import read_media\n\n"
        'uri = tasks[0].data["image"]\n'
        "Image.open(io.BytesIO(read_media(images, uri))).getpixel((0, 0))"
    ),
    md("Label the images, then export the annotations to a target prefix of the same bucket:"),
    code(
        "for task in tasks:\n"
        '    color = task.data["image"].rsplit("/", 1)[1].removesuffix(".png")\n'
        '    result = [{"from_name": "label", "to_name": "image", "type": "choices",\n'
        '               "value": {"choices": [color]}}]\n'
        "    server.client.annotations.create(id=task.id, result=result)\n"
        'target = images.connect_storage("s3://shapes/labels", target=True, endpoint_url=endpoint)\n'
        "target.sync(progress=False)"
    ),
    code(
        'keys = [o["Key"] for o in s3.list_objects_v2(Bucket="shapes", Prefix="labels/")["Contents"]]\n'
        'exported = [json.loads(s3.get_object(Bucket="shapes", Key=k)["Body"].read()) for k in keys]\n'
        'sorted((e["task"]["data"]["image"], e["result"][0]["value"]["choices"][0]) for e in exported)'
    ),
    md("Stop the S3 server this notebook started."),
    code("s3_server.stop()"),
    md(KEEP_RUNNING),
]

nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
Path("notebooks/model_in_the_loop.ipynb").write_text(nbf.writes(nb))
