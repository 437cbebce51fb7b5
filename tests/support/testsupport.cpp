#include "testsupport.h"

#include "store/database.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <random>

namespace astra::test {

TempRepo::TempRepo()
{
    if (!m_dir.isValid()) {
        return;
    }
    git({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
    git({QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("Test Person")});
    git({QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("test@example.org")});
    git({QStringLiteral("config"), QStringLiteral("commit.gpgsign"), QStringLiteral("false")});
}

bool TempRepo::isValid() const
{
    return m_dir.isValid() && QDir(m_dir.filePath(QStringLiteral(".git"))).exists();
}

QString TempRepo::file(const QString &relative) const
{
    return m_dir.filePath(relative);
}

QString TempRepo::git(const QStringList &args) const
{
    const Run run = runProgram(QStringLiteral("git"), args, m_dir.path());
    if (run.exitCode != 0) {
        qWarning("git %s failed: %s", qPrintable(args.join(u' ')), qPrintable(run.err));
    }
    return run.out;
}

void TempRepo::write(const QString &relative, const QByteArray &content) const
{
    const QString path = file(relative);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size()) {
        qWarning("cannot write %s", qPrintable(path));
    }
}

QString TempRepo::commitAll(const QString &message) const
{
    git({QStringLiteral("add"), QStringLiteral("-A")});
    git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), message});
    return git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).trimmed();
}

Run runProgram(const QString &program, const QStringList &args, const QString &workingDirectory)
{
    QProcess process;
    if (!workingDirectory.isEmpty()) {
        process.setWorkingDirectory(workingDirectory);
    }
    process.start(program, args);
    Run run;
    if (!process.waitForStarted(30000)) {
        run.err = process.errorString();
        return run;
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(300000)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QStringList lockFiles(const QString &gitDir)
{
    QStringList locks;
    QDirIterator it(gitDir, {QStringLiteral("*.lock")}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        locks.append(it.next());
    }
    return locks;
}

QString describe(const Run &run)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(run.exitCode).arg(run.out, run.err);
}

Run runAstra(const QStringList &args, const QString &workingDirectory, const QStringList &extraEnv)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
    for (const QString &item : extraEnv) {
        env.insert(item.section(u'=', 0, 0), item.section(u'=', 1));
    }
    process.setProcessEnvironment(env);
    if (!workingDirectory.isEmpty()) {
        process.setWorkingDirectory(workingDirectory);
    }
    process.start(QStringLiteral(ASTRA_CLI_PATH), args);
    Run run;
    if (!process.waitForStarted(30000) || !process.waitForFinished(300000)) {
        run.err = process.errorString();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QList<QPair<QString, DatabaseLocation>> testDatabases(const QString &dir)
{
    QList<QPair<QString, DatabaseLocation>> result;
    result.append({QStringLiteral("sqlite"),
                   DatabaseLocation::sqliteFile(QDir(dir).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces)
                                                                   + QStringLiteral(".db")))});
    const QString url = qEnvironmentVariable("ASTRA_TEST_PG_URL");
    if (!url.isEmpty()) {
        auto admin = DatabaseLocation::parse(url);
        if (!admin) {
            qWarning("ASTRA_TEST_PG_URL: %s", qPrintable(admin.message()));
            return result;
        }
        // A fresh database per call, so tests never see each other's tables.
        const QString name = QStringLiteral("astra_test_%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(16));
        {
            auto db = Database::open(*admin, Database::OpenMode::CreateIfMissing);
            if (!db) {
                qWarning("cannot reach the test PostgreSQL server: %s", qPrintable(db.message()));
                return result;
            }
            QSqlQuery create(db->connection());
            if (!create.exec(QStringLiteral("CREATE DATABASE ") + name)) {
                qWarning("cannot create a test database");
                return result;
            }
        }
        DatabaseLocation location = *admin;
        location.databaseName = name;
        result.append({QStringLiteral("postgresql"), location});
    }
    return result;
}

Config configFrom(const QByteArray &toml)
{
    auto config = parseConfig(toml, QStringLiteral("test.astra.toml"), configChecks());
    if (!config) {
        qWarning("%s", qPrintable(config.message()));
        return {};
    }
    return *config;
}

PlanRecord syntheticPlan(int nodes, quint32 seed)
{
    PlanRecord plan;
    plan.id = 1;
    plan.goalId = 1;
    plan.outcome = QStringLiteral("solved");
    plan.domain = QStringLiteral("synthetic");
    std::mt19937 random(seed);
    const auto add = [&](qint64 parent, int ordinal, PlanNodeRecord::Kind kind, const QString &name) {
        PlanNodeRecord node;
        node.id = plan.nodes.size() + 1;
        node.planId = plan.id;
        node.parentId = parent;
        node.ordinal = ordinal;
        node.kind = kind;
        node.name = name;
        node.arguments = QStringList{QStringLiteral("g1"), QStringLiteral("file%1").arg(node.id)};
        if (kind == PlanNodeRecord::Kind::RejectedMethod) {
            node.reason = QStringLiteral("precondition: (has-fixits g1) is false");
        }
        plan.nodes.append(node);
        return node.id;
    };
    // Breadth first, so that the tree is bushy rather than one long chain.
    QList<qint64> open{add(0, 0, PlanNodeRecord::Kind::Task, QStringLiteral("root-task"))};
    while (!open.isEmpty()) {
        const qint64 task = open.takeFirst();
        add(task, 0, PlanNodeRecord::Kind::RejectedMethod, QStringLiteral("m-rejected"));
        const qint64 method = add(task, 1, PlanNodeRecord::Kind::Method, QStringLiteral("m-chosen"));
        const int subtasks = 2 + int(random() % 3);
        for (int i = 0; i < subtasks; ++i) {
            const bool room = plan.nodes.size() + 3 * qsizetype(open.size() + 1) < qsizetype(nodes);
            const bool compound = room && (open.isEmpty() || random() % 2);
            if (compound) {
                open.append(add(method, i, PlanNodeRecord::Kind::Task, QStringLiteral("sub-task")));
            } else {
                add(method, i, PlanNodeRecord::Kind::Action, QStringLiteral("code_step"));
            }
        }
    }
    return plan;
}

QStringList repeated(int count, const QString &text)
{
    QStringList list;
    for (int i = 0; i < count; ++i) {
        list.append(text);
    }
    return list;
}

QString databaseUrl(const DatabaseLocation &location)
{
    if (location.driver == DatabaseLocation::Driver::SQLite) {
        return location.path;
    }
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(location.user, location.host)
        .arg(location.port)
        .arg(location.databaseName);
}

void resetDatabase(const DatabaseLocation &location)
{
    if (location.driver == DatabaseLocation::Driver::SQLite) {
        Database::closeThreadConnection(location);
        QFile::remove(location.path);
        QFile::remove(location.path + QStringLiteral("-wal"));
        QFile::remove(location.path + QStringLiteral("-shm"));
        return;
    }
    auto db = Database::open(location);
    if (!db) {
        return;
    }
    QSqlQuery query(db->connection());
    query.exec(QStringLiteral("DROP SCHEMA public CASCADE"));
    query.exec(QStringLiteral("CREATE SCHEMA public"));
}

AgentFolder::AgentFolder()
{
    QFile::setPermissions(m_dir.path(),
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                              | QFile::ReadOther | QFile::ExeOther);
}

QString AgentFolder::write(const QString &name, const QByteArray &content) const
{
    const QString path = QDir(m_dir.path()).filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size()) {
        qFatal("cannot write the stand-in agent %s", qPrintable(path));
    }
    file.close();
    QFile::setPermissions(path,
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                              | QFile::ReadOther | QFile::ExeOther);
    return path;
}

QByteArray AgentFolder::readOnlySetting() const
{
    return "read_only = [\"" + m_dir.path().toUtf8() + "\"]\n";
}

} // namespace astra::test
