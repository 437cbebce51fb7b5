"""Runs the unittest suite and writes a JUnit XML report: python3 tools/run_tests.py REPORT.xml"""

import os
import sys
import time
import unittest
import xml.etree.ElementTree as ET


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self.started = 0.0

    def startTest(self, test):
        self.started = time.monotonic()
        super().startTest(test)

    def record(self, test, kind=None, text=""):
        self.cases.append((test, time.monotonic() - self.started, kind, text))

    def addSuccess(self, test):
        super().addSuccess(test)
        self.record(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.record(test, "failure", self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self.record(test, "error", self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.record(test, "skipped", reason)


def junit(result, seconds):
    suite = ET.Element("testsuite", name="snapback", tests=str(len(result.cases)),
                       failures=str(len(result.failures)), errors=str(len(result.errors)),
                       skipped=str(len(result.skipped)), time=f"{seconds:.3f}")
    for test, elapsed, kind, text in result.cases:
        cls = type(test)
        case = ET.SubElement(suite, "testcase", classname=f"{cls.__module__}.{cls.__name__}",
                             name=test._testMethodName, time=f"{elapsed:.3f}")
        if kind:
            ET.SubElement(case, kind, message=text.strip().splitlines()[-1] if text.strip() else kind).text = text
    return ET.ElementTree(suite)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, root)
    suite = unittest.defaultTestLoader.discover(os.path.join(root, "tests"), top_level_dir=root)
    started = time.monotonic()
    result = unittest.TextTestRunner(resultclass=Recorder, verbosity=2).run(suite)
    os.makedirs(os.path.dirname(os.path.abspath(argv[1])), exist_ok=True)
    junit(result, time.monotonic() - started).write(argv[1], encoding="utf-8", xml_declaration=True)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
