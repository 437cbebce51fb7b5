"""Run by the operators' scheduler after daily_backup: reports the newest archive to monitoring."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from snapback import config  # noqa: E402


def report(status, newest):
    if status != None:
        print(f"backup finished with status {status}; newest archive: {newest or 'none'}")
    return 0


def main(argv):
    settings = config.load("deploy/monitoring.json")
    archives = sorted(os.listdir(settings.target)) if os.path.isdir(settings.target) else []
    return report(argv[1] if len(argv) > 1 else "unknown", archives[-1] if archives else None)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
