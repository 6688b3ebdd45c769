"""Object storage for projects: S3 and S3-compatible buckets (GCS and Azure through the same calls).

:meth:`Project.connect_storage` connects a bucket as a source of tasks or a target of exports
(:func:`connect`); credentials are read from the environment when the call is made and go to the
server only (see :mod:`ls_notebook.storage._credentials`). :func:`read_media` fetches a task's
``s3://`` media through the server, so the browser needs no cloud credentials.

Google Cloud Storage (``gs://bucket/prefix``) and Azure Blob Storage (``azure-blob://container/prefix``)
use the SDK's ``gcs`` / ``azure`` storage calls with the same options; their credentials come from
``GOOGLE_APPLICATION_CREDENTIALS`` / ``GOOGLE_CLOUD_PROJECT`` and ``AZURE_BLOB_ACCOUNT_NAME`` /
``AZURE_BLOB_ACCOUNT_KEY``. They are not exercised by the test suite (no local server for them).
"""

from ls_notebook.storage._media import is_storage_uri, read_media, resolve_url
from ls_notebook.storage._storage import Storage, SyncResult, connect, parse_uri

__all__ = ["Storage", "SyncResult", "connect", "is_storage_uri", "parse_uri", "read_media", "resolve_url"]
