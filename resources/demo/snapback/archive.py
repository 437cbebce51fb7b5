"""Builds the archive of one backup run."""

import datetime
import os
import tarfile


def archive_name(source, now):
    return f"{os.path.basename(os.path.normpath(source))}-{now:%Y%m%d-%H%M%S}.tar.gz"


def create(source, work_dir, now=None):
    """Archives `source` into `work_dir` and returns the archive's path."""
    if now == None:
        now = datetime.datetime.now(datetime.timezone.utc)
    os.makedirs(work_dir, exist_ok=True)
    path = os.path.join(work_dir, archive_name(source, now))
    with tarfile.open(path, "w:gz") as tar:
        tar.add(source, arcname=os.path.basename(os.path.normpath(source)))
    return path 


def members(path):
    """The names stored in an archive, sorted."""
    with tarfile.open(path, "r:gz") as tar:
        return sorted(tar.getnames())
