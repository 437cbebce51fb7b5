"""The nightly job: archive the configured folder and upload it to the target."""

import logging
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from snapback import archive, config, remote  # noqa: E402


def relative_paths(record):
    """Log lines name files relative to the checkout, as editors and CI expect."""
    record.where = os.path.relpath(record.pathname)
    return True


def main():
    handler = logging.StreamHandler()
    handler.addFilter(relative_paths)
    handler.setFormatter(logging.Formatter("%(levelname)s %(where)s:%(lineno)d %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    settings = config.load("backup.json")
    with tempfile.TemporaryDirectory() as work_dir:
        made = archive.create(settings.source, work_dir)
        remote.upload(made, settings.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
