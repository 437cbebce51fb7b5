import json
import os
import tempfile
import unittest

from snapback import config


class LoadTest(unittest.TestCase):
    def write(self, data):
        handle, path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            json.dump(data, f)
        self.addCleanup(os.remove, path)
        return path

    def test_defaults(self):
        settings = config.load(self.write({"source": "docs"}))
        self.assertEqual(settings.target, "backups/")
        self.assertEqual(settings.keep, 7)

    def test_source_is_required(self):
        path = self.write({"target": "t"})
        with self.assertRaisesRegex(ValueError, "'source' is required"):
            config.load(path)

    def test_keep_at_least_one(self):
        with self.assertRaisesRegex(ValueError, "at least 1"):
            config.load(self.write({"source": "docs", "keep": 0}))


if __name__ == "__main__":
    unittest.main()
