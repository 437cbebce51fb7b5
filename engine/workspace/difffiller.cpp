#include "workspace/difffiller.h"

#include "git/gitrepository.h"
#include "git/treediff.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QThreadPool>

#include <atomic>

namespace astra {

struct DiffFiller::State
{
    explicit State(quint64 number)
        : generation(number)
    {}
    const quint64 generation; // which start() this is: what an earlier one says is dropped
    QMutex mutex;
    DiffFiller *owner = nullptr; // null once the filler stopped or is gone: nothing more is said
    QList<int> wanted;
    std::atomic<bool> stopped{false};

    // Runs `call` on the owner's thread, unless the filler stopped meanwhile.
    template<typename Call>
    void post(Call call)
    {
        QMutexLocker lock(&mutex);
        if (owner && !stopped) {
            QMetaObject::invokeMethod(
                owner,
                [owner = owner, generation = generation, call = std::move(call)]() mutable {
                    if (owner->m_state && owner->m_state->generation == generation) {
                        call(owner);
                    }
                },
                Qt::QueuedConnection);
        }
    }
    int nextWanted(const std::vector<bool> &loaded)
    {
        QMutexLocker lock(&mutex);
        while (!wanted.isEmpty()) {
            const int index = wanted.takeFirst();
            if (index >= 0 && size_t(index) < loaded.size() && !loaded[size_t(index)]) {
                return index;
            }
        }
        return -1;
    }
};

namespace {
QString identity(const FileDiff &file)
{
    return file.change + u'\n' + file.oldPath + u'\n' + file.path;
}

void fill(const std::shared_ptr<DiffFiller::State> &state,
          const QString &repoPath,
          TreeDiff outline,
          const TreeDiffOptions &options)
{
    auto repo = GitRepository::discover(repoPath);
    if (!repo) {
        state->post([message = repo.message()](DiffFiller *owner) { Q_EMIT owner->failed(message); });
        return;
    }
    if (!outline.renamesFound) {
        auto found = diffOutline(*repo, outline.fromCommit, outline.toCommit, RenameDetection::Git, options);
        if (state->stopped) {
            return;
        }
        if (!found) {
            state->post([message = found.message()](DiffFiller *owner) { Q_EMIT owner->failed(message); });
            return;
        }
        // The files already read stay read when the renames leave them as they were.
        QHash<QString, qsizetype> read;
        for (qsizetype i = 0; i < outline.files.size(); ++i) {
            if (outline.files.at(i).loaded) {
                read.insert(identity(outline.files.at(i)), i);
            }
        }
        for (FileDiff &file : found->files) {
            if (const auto at = read.constFind(identity(file)); at != read.constEnd()) {
                file = outline.files.at(*at);
            }
        }
        // The files asked for meanwhile, at their places in the new outline.
        QHash<QString, int> byPath;
        for (int i = 0; i < int(found->files.size()); ++i) {
            byPath.insert(found->files.at(i).path, i);
            byPath.insert(found->files.at(i).oldPath, i);
        }
        {
            QMutexLocker lock(&state->mutex);
            for (int &index : state->wanted) {
                index =
                    index >= 0 && index < outline.files.size() ? byPath.value(outline.files.at(index).path, -1) : -1;
            }
        }
        outline = std::move(*found);
        state->post([changed = TreeDiffPtr(new TreeDiff(outline))](DiffFiller *owner) {
            Q_EMIT owner->outlineChanged(changed);
        });
    }
    std::vector<bool> loaded(size_t(outline.files.size()), false);
    for (qsizetype i = 0; i < outline.files.size(); ++i) {
        loaded[size_t(i)] = outline.files.at(i).loaded;
        if (loaded[size_t(i)]) {
            outline.files[i] = FileDiff(); // the receiver has it
        }
    }
    QList<LoadedFile> batch;
    QElapsedTimer sinceSent;
    sinceSent.start();
    const auto send = [&] {
        if (!batch.isEmpty()) {
            state->post([files = std::move(batch)](DiffFiller *owner) { Q_EMIT owner->filesLoaded(files); });
            batch = {};
        }
        sinceSent.restart();
    };
    size_t next = 0;
    while (!state->stopped) {
        int index = state->nextWanted(loaded);
        if (index < 0) {
            while (next < loaded.size() && loaded[next]) {
                ++next;
            }
            if (next == loaded.size()) {
                break;
            }
            index = int(next);
        }
        FileDiff file = std::move(outline.files[index]);
        if (Status read = loadFileDiff(*repo, file, options); !read) {
            send();
            state->post([message = read.message()](DiffFiller *owner) { Q_EMIT owner->failed(message); });
            return;
        }
        loaded[size_t(index)] = true;
        batch.append({index, std::move(file)});
        // Soon after a file was asked for; otherwise in batches that cost the view little.
        if (sinceSent.elapsed() >= 40 || batch.size() >= 200) {
            send();
        }
    }
    if (state->stopped) {
        return;
    }
    send();
    state->post([](DiffFiller *owner) { Q_EMIT owner->finished(); });
}
} // namespace

DiffFiller::DiffFiller(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<TreeDiffPtr>();
    qRegisterMetaType<QList<LoadedFile>>();
    connect(this, &DiffFiller::finished, this, [this] { m_running = false; });
    connect(this, &DiffFiller::failed, this, [this] { m_running = false; });
}

DiffFiller::~DiffFiller()
{
    stop();
}

void DiffFiller::stop()
{
    if (m_state) {
        QMutexLocker lock(&m_state->mutex);
        m_state->stopped = true;
        m_state->owner = nullptr;
    }
    m_state.reset();
    m_running = false;
}

void DiffFiller::start(const QString &repoPath, TreeDiffPtr outline, const TreeDiffOptions &options)
{
    QList<int> wanted = std::exchange(m_wanted, {});
    stop();
    m_wanted = std::move(wanted);
    if (!outline || outline->isComplete()) {
        return;
    }
    m_state = std::make_shared<State>(++m_generation);
    m_state->owner = this;
    m_state->wanted = std::exchange(m_wanted, {});
    m_running = true;
    QThreadPool::globalInstance()->start(
        [state = m_state, repoPath, copy = *outline, options] { fill(state, repoPath, copy, options); });
}

void DiffFiller::want(const QList<int> &files)
{
    if (!m_state) {
        m_wanted = files; // for the next start()
        return;
    }
    QMutexLocker lock(&m_state->mutex);
    m_state->wanted = files;
}

} // namespace astra
