import datetime
import os
import tempfile
import unittest

from snapback import archive


class ArchiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.source = os.path.join(self.dir.name, "notes")
        os.makedirs(self.source)
        with open(os.path.join(self.source, "a.txt"), "w", encoding="utf-8") as f:
            f.write("alpha\n")

    def test_name_has_folder_and_time(self):
        now = datetime.datetime(2026, 3, 1, 4, 5, 6)
        self.assertEqual(archive.archive_name("/x/notes/", now), "notes-20260301-040506.tar.gz")

    def test_create_stores_the_folder(self):
        path = archive.create(self.source, os.path.join(self.dir.name, "out"))
        self.assertTrue(path.endswith(".tar.gz"))
        self.assertEqual(archive.members(path), ["notes", "notes/a.txt"])


if __name__ == "__main__":
    unittest.main()
