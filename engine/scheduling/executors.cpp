#include "scheduling/executors.h"

namespace astra {

namespace {
const char *const outcomeNames[] = {"succeeded", "failed", "transient", "cancelled"};
} // namespace

TaskOutcome TaskOutcome::succeeded(const QString &summary, const QJsonObject &output)
{
    return TaskOutcome{Kind::Succeeded, summary, output, {}};
}

TaskOutcome TaskOutcome::failed(const Error &error)
{
    return TaskOutcome{error.kind == ErrorKind::Transient ? Kind::Transient : Kind::Failed, error.message, {}, {}};
}

QString toString(TaskOutcome::Kind kind)
{
    return QString::fromLatin1(outcomeNames[int(kind)]);
}

const TaskRecord *TaskContext::earlierOf(const QString &kind) const
{
    for (auto it = earlier.crbegin(); it != earlier.crend(); ++it) {
        if (it->kind == kind) {
            return &*it;
        }
    }
    return nullptr;
}

void ExecutorRegistry::add(const QString &kind, TaskExecutor executor, bool writesRepository)
{
    m_entries.insert(kind, Entry{std::move(executor), writesRepository});
}

const TaskExecutor *ExecutorRegistry::find(const QString &kind) const
{
    auto it = m_entries.constFind(kind);
    return it == m_entries.constEnd() ? nullptr : &it->executor;
}

bool ExecutorRegistry::writes(const QString &kind) const
{
    return m_entries.value(kind).writes;
}

QStringList ExecutorRegistry::writerKinds() const
{
    QStringList kinds;
    for (auto it = m_entries.constBegin(); it != m_entries.constEnd(); ++it) {
        if (it->writes) {
            kinds.append(it.key());
        }
    }
    kinds.sort();
    return kinds;
}

QStringList ExecutorRegistry::kinds() const
{
    QStringList kinds = m_entries.keys();
    kinds.sort();
    return kinds;
}

} // namespace astra
