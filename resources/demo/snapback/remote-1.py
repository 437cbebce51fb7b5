"""Copies finished archives to the backup target, one writer at a time."""

import logging
import os
import shutil
import time

LOCK_NAME = ".snapback.lock"
log = logging.getLogger(__name__)


class TargetLock:
    """A lock file in the target folder: one backup writes there at a time."""

    def __init__(self, target):
        self.path = os.path.join(target, LOCK_NAME)

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        wait_until_free(self.path)
        with open(self.path, "x", encoding="utf-8") as f:
            f.write(str(os.getpid()))
        return self

    def __exit__(self, *exc):
        os.remove(self.path)


def wait_until_free(lock_path, poll_s=0.2):
    """Waits while another backup holds the target."""
    if os.path.exists(lock_path):
        log.info("waiting for %s", lock_path)
    while os.path.exists(lock_path):
        time.sleep(poll_s)


def upload(archive, target):
    """Copies `archive` into `target` and returns the copy's path."""
    with TargetLock(target):
        copy = shutil.copy2(archive, target)
        log.info("uploaded %s", copy)
        return copy
