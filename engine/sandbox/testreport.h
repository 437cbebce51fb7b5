#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace astra {

struct TestCaseFailure
{
    QString name; // "classname.name" for JUnit, the test name for CTest, the node id for pytest
    QString message; // one line at most a few hundred characters long; may be empty
};

// The counts a test run reported. `parsed` is false when the report could not be read or
// counted nothing; `problem` then says why, and callers fall back to the exit code.
struct TestReport
{
    bool parsed = false;
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    int errors = 0;
    QList<TestCaseFailure> failures; // failed and erroneous tests, the first maxListedFailures
    QString format; // "junit", "ctest", "pytest"; empty when no report was asked for
    QString problem; // why it could not be parsed
    bool ranNone = false; // the report says no test ran (found none, or "out of 0"): not a pass

    int total() const
    {
        return passed + failed + skipped + errors;
    }

    // {"format", "parsed", "passed", "failed", "skipped", "errors", "failures": [{"name",
    // "message"}], "problem" (only when set)}
    QJsonObject toJson() const;
};

// At most this many entries are kept in TestReport::failures; the counts go on.
constexpr int maxListedFailures = 500;

// A JUnit XML document: <testsuites> or <testsuite> at the root, suites nested to any
// depth, each <testcase> counted once: an <error> child makes it an error, else a
// <failure> child a failure, else a <skipped> child (or CTest's status="notrun" or
// status="disabled") a skip, else a pass.
TestReport parseJUnitXml(const QByteArray &xml);

// CTest's console output: the last "N% tests passed, F tests failed out of T" summary,
// the "The following tests FAILED:" list after it (names and statuses) and the "The
// following tests did not run:" list (skips). "No tests were found" is not parsed.
TestReport parseCTestOutput(const QByteArray &output);

// pytest's console output: the last summary line ("== 2 failed, 10 passed, 1 skipped in
// 0.12s ==", with or without the '=' rule or colours), and the FAILED/ERROR lines of the
// short test summary before it. xpassed counts as passed, xfailed as skipped; warnings,
// deselected and reruns are not tests. "no tests ran" is not parsed.
TestReport parsePytestOutput(const QByteArray &output);

} // namespace astra
