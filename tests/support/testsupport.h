#pragma once

#include "config/astraconfig.h"
#include "git/gitrepository.h"
#include "model/plan.h"
#include "store/database.h"
#include "store/databaselocation.h"
#include "store/ledger.h"

#include <QMap>
#include <QStringList>
#include <QTemporaryDir>

namespace astra::test {

// A real git repository in a temporary folder, made with the git command line (the product
// itself never runs git: this is the independent check).
class TempRepo
{
public:
    TempRepo();
    bool isValid() const;
    QString path() const
    {
        return m_dir.path();
    }
    QString file(const QString &relative) const;
    // Runs git in the repository; returns stdout, fails the test on error.
    QString git(const QStringList &args) const;
    void write(const QString &relative, const QByteArray &content) const;
    QString commitAll(const QString &message) const;

private:
    QTemporaryDir m_dir;
};

// A folder for stand-in agents, apart from the state and the repository: the sandbox is shown
// this folder (read_only) and nothing else of the test's. Readable by others, because run by
// root the sandbox runs the agent as an unprivileged user.
class AgentFolder
{
public:
    AgentFolder();
    QString path() const
    {
        return m_dir.path();
    }
    // Writes an executable file `name` and returns its path.
    QString write(const QString &name, const QByteArray &content) const;
    // `read_only = ["<path>"]\n` for [proposer].
    QByteArray readOnlySetting() const;

private:
    QTemporaryDir m_dir;
};

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

// The lock files (*.lock) under a git dir.
QStringList lockFiles(const QString &gitDir);

// "exit N / stdout / stderr" of a run, for failure messages.
QString describe(const Run &run);

// Runs the `astra` program built with the tests.
Run runAstra(const QStringList &args, const QString &workingDirectory = {}, const QStringList &extraEnv = {});
// Runs any program.
Run runProgram(const QString &program, const QStringList &args, const QString &workingDirectory = {});

// The databases a store test runs on: always a fresh SQLite file in `dir`; plus the
// PostgreSQL server the test script starts, when ASTRA_TEST_PG_URL names it (each call
// gets a fresh schema-less database created on that server).
QList<QPair<QString, DatabaseLocation>> testDatabases(const QString &dir);
// `count` copies of `text` (Qt 5's QStringList has no such constructor).
QStringList repeated(int count, const QString &text);
// The configuration `toml` describes, checked as `astra` checks it (a warning and the defaults
// when it is invalid).
Config configFrom(const QByteArray &toml);

// A decomposition of about `nodes` nodes as the planner stores them (ids 1.., parents first):
// compound tasks with a rejected and a chosen method each, two to four subtasks under a
// method, actions at the leaves; the same tree for the same `seed`.
PlanRecord syntheticPlan(int nodes, quint32 seed = 1);

// The --db URL of a test database: the SQLite file's path or postgresql://USER@HOST:PORT/DB.
QString databaseUrl(const DatabaseLocation &location);
// Drops everything in a test PostgreSQL database (no-op for SQLite).
void resetDatabase(const DatabaseLocation &location);

} // namespace astra::test

// Checks a run's exit status, running `expression` once (QVERIFY2 evaluates its message even
// when the check passes).
#define ASTRA_VERIFY_EXIT(expression, code)                                                                            \
    do {                                                                                                               \
        const astra::test::Run verified_ = (expression);                                                               \
        QVERIFY2(verified_.exitCode == (code), qPrintable(astra::test::describe(verified_)));                          \
    } while (false)
