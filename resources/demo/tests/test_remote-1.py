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


if __name__ == "__main__":
    unittest.main()
