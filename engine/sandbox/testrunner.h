#pragma once

#include "config/astraconfig.h"
#include "sandbox/sandbox.h"
#include "sandbox/testreport.h"

#include <QString>

#include <chrono>

namespace astra {

struct TestRunRequest
{
    // The exported tree; the command runs here and only here is writable (plus a private
    // /tmp). It must exist and must not be "/".
    QString folder;
    QString scratchRoot; // the scratch folder holding `folder`, if any (SandboxRequest::scratchRoot)
    QString command; // run with /bin/sh -c
    std::chrono::seconds timeout{600};
    TestsSection::Sandbox sandbox = TestsSection::Sandbox::Auto;
    // "junit:RELATIVE/PATH" (read from the folder after the run; a file already at that path
    // is removed before the run) | "ctest" | "pytest" | "" (exit code only)
    QString report;
    // Combined stdout+stderr is written here, capped; empty keeps no output. Keep it outside
    // `folder`: the command can write there.
    QString outputFile;
    qint64 outputCapBytes = 4 * 1024 * 1024;
    // Resource limits of the command; zero or less leaves that limit as it is.
    qint64 memoryLimitBytes = 4LL * 1024 * 1024 * 1024; // address space
    int maxProcesses = 512; // per user (RLIMIT_NPROC), so it counts the user's other processes
    qint64 maxFileBytes = 1024LL * 1024 * 1024; // largest file the command may write
    int maxOpenFiles = 4096;
    // The size of the sandbox's private /tmp (also its HOME); writes past it fail.
    qint64 scratchBytes = 1024LL * 1024 * 1024;
};

// The request for a workspace's [tests] settings.
TestRunRequest testRunRequest(const TestsSection &tests, const QString &folder, const QString &outputFile);

struct TestRunResult
{
    enum class Outcome
    {
        Passed,
        Failed,
        Timeout,
        Error, // the command could not run (nothing was run, or it could not start)
    };

    Outcome outcome = Outcome::Error;
    int exitCode = -1; // -1 when the command did not exit by itself (timeout, signal, not started)
    // "bwrap", or "none (why: weaker isolation, ...)"; empty when nothing was run
    QString sandbox;
    TestReport report;
    qint64 durationMs = 0;
    bool outputTruncated = false;
    qint64 outputBytes = 0; // everything the command printed, also what the cap dropped
    QString message; // one or two sentences for the reviewer
};

QString toString(TestRunResult::Outcome outcome); // "passed", "failed", "timeout", "error"

// Runs `request.command` in `request.folder` under the requested sandbox, with the
// timeout and resource limits, and reads the report afterwards. Outcome Passed iff the
// exit code is 0 and the report (when one was asked for and could be read) counts no
// failures or errors.
// Blocking: call it from a worker thread. Never throws; a command that cannot start is
// Outcome::Error with a message.
TestRunResult runTests(const TestRunRequest &request);

} // namespace astra
