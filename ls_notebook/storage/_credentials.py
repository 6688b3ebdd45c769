"""Cloud credentials read from the environment at the moment they are sent to the server.

Nothing here is kept: each function returns the keyword arguments of one SDK call, and the caller
passes them on and drops them. Notebooks, reprs and error messages never see them.

========  ====================================================================================
scheme    where credentials come from
========  ====================================================================================
``s3``    boto3's chain: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``,
          ``~/.aws`` profiles (``profile=``), instance roles; region from ``AWS_DEFAULT_REGION``
``gs``    ``GOOGLE_APPLICATION_CREDENTIALS`` (a service-account JSON file; its text is sent),
          ``GOOGLE_CLOUD_PROJECT``
``azure`` ``AZURE_BLOB_ACCOUNT_NAME`` / ``AZURE_BLOB_ACCOUNT_KEY`` (Label Studio's own names)
========  ====================================================================================

When nothing is found, nothing is sent and the server uses its own environment (the same variables
set for the Label Studio process, or its machine's role).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["azure_credentials", "gcs_credentials", "s3_credentials"]


def s3_credentials(profile: str | None = None, region: str | None = None) -> dict[str, Any]:
    """SDK keyword arguments for S3 credentials and region from boto3's lookup chain.

    Examples
    --------
    >>> import os
    >>> os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = "AK", "SK"
    >>> sorted(s3_credentials(region="eu-west-1"))
    ['aws_access_key_id', 'aws_secret_access_key', 'region_name']
    >>> del os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    """
    import boto3

    session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    out: dict[str, Any] = {}
    creds = session.get_credentials()
    if creds is not None:
        frozen = creds.get_frozen_credentials()
        out["aws_access_key_id"] = frozen.access_key
        out["aws_secret_access_key"] = frozen.secret_key
        if frozen.token:
            out["aws_session_token"] = frozen.token
    region = region or session.region_name
    if region:
        out["region_name"] = region
    return out


def gcs_credentials() -> dict[str, Any]:
    """SDK keyword arguments for Google Cloud Storage from ``GOOGLE_APPLICATION_CREDENTIALS``."""
    out: dict[str, Any] = {}
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path and Path(path).is_file():
        out["google_application_credentials"] = Path(path).read_text()
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if project:
        out["google_project_id"] = project
    return out


def azure_credentials() -> dict[str, Any]:
    """SDK keyword arguments for Azure Blob Storage from ``AZURE_BLOB_ACCOUNT_NAME``/``_KEY``."""
    out: dict[str, Any] = {}
    name, key = os.environ.get("AZURE_BLOB_ACCOUNT_NAME"), os.environ.get("AZURE_BLOB_ACCOUNT_KEY")
    if name:
        out["account_name"] = name
    if key:
        out["account_key"] = key
    return out
