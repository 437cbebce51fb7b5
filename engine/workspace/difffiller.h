#pragma once

#include "model/treediff.h"

#include <QObject>

#include <memory>

namespace astra {

// One file of a diff read by DiffFiller: its index in the outline it was read for.
struct LoadedFile
{
    int index = 0;
    FileDiff file;
};

// Completes a diff shown from its outline (TreeDiffOptions::outline) on a thread of the pool,
// with a repository handle of its own, so that a big change is on screen before it is read:
// first the renames as `git diff -M` finds them (a new outline, the files already read kept),
// then every file's lines, the ones asked for with want() (those on screen) before the others,
// in batches. Starting again or destroying it stops the work without waiting for it.
class DiffFiller : public QObject
{
    Q_OBJECT
public:
    explicit DiffFiller(QObject *parent = nullptr);
    ~DiffFiller() override;

    // Completes `outline` of the repository at `repoPath` (nothing to do when it is complete).
    void start(const QString &repoPath, TreeDiffPtr outline, const TreeDiffOptions &options = {});
    void stop();
    // Files of the latest outline (indices) to read before the others, the first first (before
    // start(): of the outline it will be given).
    void want(const QList<int> &files);
    bool isRunning() const
    {
        return m_running;
    }

Q_SIGNALS:
    // The renames are found: `outline` takes the place of the one started on.
    void outlineChanged(const astra::TreeDiffPtr &outline);
    void filesLoaded(const QList<astra::LoadedFile> &files);
    void finished();
    void failed(const QString &message);

public:
    struct State; // shared with the work on the pool

private:
    std::shared_ptr<State> m_state;
    QList<int> m_wanted; // asked for before start()
    quint64 m_generation = 0;
    bool m_running = false;
};

} // namespace astra

Q_DECLARE_METATYPE(astra::LoadedFile)
