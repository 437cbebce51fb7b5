import os
import tempfile
import unittest

from snapback import remote


class LockTest(unittest.TestCase):
    def test_lock_file_exists_while_held(self):
        with tempfile.TemporaryDirectory() as target:
            with remote.TargetLock(target) as lock:
                self.assertTrue(os.path.exists(lock.path))
            self.assertFalse(os.path.exists(lock.path))


class ArchivesTest(unittest.TestCase):
    def test_oldest_first(self):
        with tempfile.TemporaryDirectory() as target:
            for age, name in ((30, "b.tar.gz"), (10, "a.tar.gz"), (20, "c.tar.gz")):
                path = os.path.join(target, name)
                open(path, "wb").close()
                os.utime(path, (1000 - age, 1000 - age))
            open(os.path.join(target, "notes.txt"), "wb").close()
            self.assertEqual(remote.archives(target), ["b.tar.gz", "c.tar.gz", "a.tar.gz"])


if __name__ == "__main__":
    unittest.main()
