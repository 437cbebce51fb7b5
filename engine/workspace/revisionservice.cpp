#include "workspace/revisionservice.h"

#include "base/crashpoint.h"
#include "base/logging.h"
#include "git/gitrepository.h"
#include "git/modificationwriter.h"
#include "git/revisions.h"
#include "git/treediff.h"
#include "policy/pathpolicy.h"
#include "policy/scope.h"
#include "proposers/proposer.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/taskrepository.h"
#include "store/transitions.h"
#include "workspace/decisions.h"
#include "workspace/exportedrun.h"
#include "workspace/modificationservice.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

// A refspec that pushes `ref` to the same name.
QString sameName(const QString &ref)
{
    return ref + u':' + ref;
}

const QString accepted = QStringLiteral("accepted");
const QString rejected = QStringLiteral("rejected");

// The file of a review diff that `path` names (its new path, or the old one of a rename).
const FileDiff *findFile(const TreeDiff &diff, const QString &path)
{
    for (const FileDiff &file : diff.files) {
        if (file.path == path) {
            return &file;
        }
    }
    for (const FileDiff &file : diff.files) {
        if (file.oldPath == path) {
            return &file;
        }
    }
    return nullptr;
}

// `message` with its Astra-Revision trailer set to `number`.
QString withRevisionTrailer(QString message, int number)
{
    static const QRegularExpression trailer(QStringLiteral("^Astra-Revision: \\d+\\n?"),
                                            QRegularExpression::MultilineOption);
    message.remove(trailer);
    message = message.trimmed() + u'\n';
    return message + QStringLiteral("Astra-Revision: %1\n").arg(number);
}

QJsonObject rejectedPart(const FileDiff &file, const DiffHunk *hunk)
{
    QJsonObject part;
    part.insert(QStringLiteral("path"), file.path);
    if (hunk) {
        part.insert(QStringLiteral("hunk"), hunk->key);
        part.insert(QStringLiteral("header"), hunk->header);
        part.insert(QStringLiteral("text"), hunkText(*hunk));
    } else {
        part.insert(QStringLiteral("file"), true);
        part.insert(QStringLiteral("change"), file.change);
        QString text;
        for (const DiffHunk &each : file.hunks) {
            text += hunkText(each);
        }
        part.insert(QStringLiteral("text"), text);
    }
    return part;
}
} // namespace

RevisionService::RevisionService(Database &db,
                                 GitRepository &repo,
                                 const Config &config,
                                 Ledger &ledger,
                                 Decisions &decisions,
                                 ModificationService &modifications,
                                 QString stateDir)
    : m_db(db)
    , m_repo(repo)
    , m_config(config)
    , m_ledger(ledger)
    , m_decisions(decisions)
    , m_modifications(modifications)
    , m_stateDir(std::move(stateDir))
{}

Status RevisionService::record(const QString &who, const QString &event, qint64 id, const QJsonObject &meta)
{
    auto entry = m_ledger.append(LedgerRecord{who, event, QStringLiteral("modification:%1").arg(id), meta});
    return entry ? Status() : Status(entry.error());
}

QString RevisionService::actor() const
{
    return m_decisions.actor();
}

Result<Modification> RevisionService::findOpen(qint64 id, const QString &what)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    using S = ModificationStatus;
    const S status = modification->status;
    if (status == S::Testing) {
        return makeError(Tr::tr("Modification %1 is being tested (revision %2); %3 waits until the tests end. "
                                "Nothing was changed.")
                             .arg(id)
                             .arg(modification->revisionOf(modification->headCommit))
                             .arg(what),
                         ErrorKind::Refused);
    }
    if (status == S::Merged || status == S::Rejected || status == S::RolledBack) {
        return makeError(Tr::tr("Modification %1 is '%2'; %3 needs one still under review. Nothing was changed.")
                             .arg(id)
                             .arg(toString(status), what),
                         ErrorKind::Refused);
    }
    if (modification->headCommit.isEmpty() || modification->revisions.isEmpty()) {
        return makeError(Tr::tr("Modification %1 has no commit yet; %2 needs one.").arg(id).arg(what),
                         ErrorKind::Refused);
    }
    // Revised by another worker since this clone last followed the team's repository.
    if (Status present = m_decisions.fetchIfMissing(modification->headCommit, modification->targetBranch); !present) {
        return present.error();
    }
    return modification;
}

Result<TreeDiff> RevisionService::diff(qint64 id, int from, int to, const TreeDiffOptions &options)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    if (modification->headCommit.isEmpty()) {
        return makeError(Tr::tr("Modification %1 has no commit yet; its diff exists once it is written.").arg(id),
                         ErrorKind::Refused);
    }
    auto revision = [&](int number) -> const Revision * {
        for (const Revision &each : std::as_const(modification->revisions)) {
            if (each.number == number) {
                return &each;
            }
        }
        return nullptr;
    };
    const int last = modification->revisions.isEmpty() ? 0 : modification->revisions.constLast().number;
    const Revision *newer = revision(to > 0 ? to : last);
    const Revision *older = from > 0 ? revision(from) : nullptr;
    if (!newer || (from > 0 && !older)) {
        return makeError(Tr::tr("Modification %1 has revisions 1 to %2; there is no revision %3.")
                             .arg(id)
                             .arg(last)
                             .arg(!newer ? to : from),
                         ErrorKind::NotFound);
    }
    return diffCommits(m_repo, older ? older->commit : newer->baseCommit, newer->commit, options);
}

Result<int> RevisionService::lastReviewedRevision(qint64 id)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    auto seen = ModificationRepository(m_db).lastReviewedRevision(id, actor());
    if (!seen) {
        return seen.error();
    }
    const int current = modification->revisionOf(modification->headCommit);
    return *seen < current ? *seen : 0;
}

Result<HunkDecision>
RevisionService::decide(qint64 id, const QString &path, std::optional<int> hunk, const QString &decision)
{
    if (!decision.isEmpty() && decision != accepted && decision != rejected) {
        return makeError(Tr::tr("'%1' is not a decision on a hunk; use accepted or rejected.").arg(decision),
                         ErrorKind::Invalid);
    }
    auto modification = findOpen(id, Tr::tr("deciding on its hunks"));
    if (!modification) {
        return modification.error();
    }
    const int revision = modification->revisionOf(modification->headCommit);
    auto review = diffCommits(m_repo, modification->baseCommit, modification->headCommit);
    if (!review) {
        return review.error();
    }
    const FileDiff *file = findFile(*review, path);
    if (!file) {
        return makeError(Tr::tr("Revision %1 of modification %2 does not change %3; `astra mod diff %2` lists what "
                                "it changes.")
                             .arg(revision)
                             .arg(id)
                             .arg(path),
                         ErrorKind::NotFound);
    }
    HunkDecision made;
    made.modificationId = id;
    made.revision = revision;
    made.path = file->path;
    made.decision = decision;
    made.decidedBy = actor();
    made.decidedAt = isoNow();
    if (hunk) {
        if (*hunk < 1 || *hunk > file->hunks.size()) {
            return makeError(
                file->hunks.isEmpty()
                    ? Tr::tr("%1 has no hunks in revision %2 of modification %3 (a binary, over-size or "
                             "mode-only change): decide on the whole file.")
                          .arg(file->path)
                          .arg(revision)
                          .arg(id)
                    : Tr::tr("%1 has hunks 1 to %2 in revision %3 of modification %4; there is no hunk %5.")
                          .arg(file->path)
                          .arg(file->hunks.size())
                          .arg(revision)
                          .arg(id)
                          .arg(*hunk),
                ErrorKind::NotFound);
        }
        made.hunkKey = file->hunks.at(*hunk - 1).key;
    }
    auto stored = m_db.writeTransaction([&]() -> Result<HunkDecision> {
        ModificationRepository repository(m_db);
        Status written = decision.isEmpty() ? repository.clearHunkDecision(id, revision, made.path, made.hunkKey)
                                            : repository.setHunkDecision(made);
        if (!written) {
            return written.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("revision"), revision);
        meta.insert(QStringLiteral("path"), made.path);
        if (hunk) {
            meta.insert(QStringLiteral("hunk"), *hunk);
            meta.insert(QStringLiteral("hunk_key"), made.hunkKey);
        }
        meta.insert(QStringLiteral("decision"), decision.isEmpty() ? QStringLiteral("cleared") : decision);
        if (Status recorded = record(made.decidedBy, QStringLiteral("hunk_decided"), id, meta); !recorded) {
            return recorded.error();
        }
        return made;
    });
    if (stored) {
        m_decisions.checkpointAfterDecision();
    }
    return stored;
}

Result<QList<HunkDecision>> RevisionService::decisions(qint64 id)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    return ModificationRepository(m_db).hunkDecisions(id, modification->revisionOf(modification->headCommit));
}

Result<Modification> RevisionService::applyDecisions(qint64 id)
{
    auto modification = findOpen(id, Tr::tr("applying decisions"));
    if (!modification) {
        return modification.error();
    }
    const int revision = modification->revisionOf(modification->headCommit);
    auto made = ModificationRepository(m_db).hunkDecisions(id, revision);
    if (!made) {
        return made.error();
    }
    auto review = diffCommits(m_repo, modification->baseCommit, modification->headCommit);
    if (!review) {
        return review.error();
    }
    HunkSelection selection;
    QJsonArray parts;
    int acceptedCount = 0;
    for (const HunkDecision &decision : std::as_const(*made)) {
        if (decision.decision != rejected) {
            ++acceptedCount;
            continue;
        }
        const FileDiff *file = findFile(*review, decision.path);
        if (!file) {
            continue;
        }
        if (decision.isFile()) {
            selection.rejectedFiles.insert(file->path);
            parts.append(rejectedPart(*file, nullptr));
            continue;
        }
        for (int index = 0; index < file->hunks.size(); ++index) {
            if (file->hunks.at(index).key == decision.hunkKey && !selection.rejectedFiles.contains(file->path)) {
                selection.rejectedHunks[file->path].insert(index);
                parts.append(rejectedPart(*file, &file->hunks.at(index)));
            }
        }
    }
    // A file whose every hunk is turned down is turned down whole (an added file does not stay
    // behind empty, a mode change goes with it).
    for (const FileDiff &file : std::as_const(review->files)) {
        const auto hunks = selection.rejectedHunks.constFind(file.path);
        if (hunks != selection.rejectedHunks.cend() && !file.hunks.isEmpty() && hunks->size() == file.hunks.size()) {
            selection.rejectedFiles.insert(file.path);
        }
    }
    if (selection.isEmpty()) {
        return makeError(Tr::tr("No hunk or file of revision %1 of modification %2 is rejected, so there is nothing "
                                "to apply. Reject one first (`astra mod reject-hunk %2 FILE HUNK`).")
                             .arg(revision)
                             .arg(id),
                         ErrorKind::Refused);
    }
    auto tree = applySelection(m_repo, modification->baseCommit, modification->headCommit, selection);
    if (!tree) {
        return tree.error();
    }
    auto baseTree = m_repo.commitTreeId(modification->baseCommit);
    if (!baseTree) {
        return baseTree.error();
    }
    if (*tree == *baseTree) {
        return makeError(Tr::tr("Every change of revision %1 of modification %2 is rejected; a revision without "
                                "changes cannot be made. Reject the modification instead.")
                             .arg(revision)
                             .arg(id),
                         ErrorKind::Refused);
    }
    auto author = m_repo.commitAuthor(modification->headCommit);
    if (!author) {
        return author.error();
    }
    NewRevision next;
    next.baseCommit = modification->baseCommit;
    next.tree = *tree;
    next.origin = QStringLiteral("hunk_decisions");
    next.meta.insert(QStringLiteral("from_revision"), revision);
    next.meta.insert(QStringLiteral("rejected"), parts);
    next.meta.insert(QStringLiteral("accepted"), acceptedCount);
    next.author = *author;
    auto revised = addRevision(*modification, next);
    if (!revised) {
        return revised;
    }
    return testNew(*revised);
}

Result<Modification> RevisionService::restoreRejected(qint64 id, const QStringList &hunkKeys)
{
    auto modification = findOpen(id, Tr::tr("restoring rejected hunks"));
    if (!modification) {
        return modification.error();
    }
    const Revision &current = modification->revisions.constLast();
    const int from = current.meta.value(QStringLiteral("from_revision")).toInt();
    const QJsonArray parts = current.meta.value(QStringLiteral("rejected")).toArray();
    if (current.origin != u"hunk_decisions" || from <= 0 || parts.isEmpty()) {
        return makeError(Tr::tr("Revision %1 of modification %2 left nothing out (it was not made from hunk "
                                "decisions), so there is nothing to restore.")
                             .arg(current.number)
                             .arg(id),
                         ErrorKind::Refused);
    }
    QString fromCommit;
    for (const Revision &revision : std::as_const(modification->revisions)) {
        if (revision.number == from) {
            fromCommit = revision.commit;
        }
    }
    // The difference from this revision back to the one it was made from is what was left out:
    // each such hunk has the content key it had there.
    auto back = diffCommits(m_repo, current.commit, fromCommit);
    if (!back) {
        return back.error();
    }
    HunkSelection selection;
    QStringList restored;
    for (const FileDiff &file : std::as_const(back->files)) {
        if (hunkKeys.isEmpty() || hunkKeys.contains(file.path)) {
            restored.append(file.path);
            continue;
        }
        bool any = false;
        for (int index = 0; index < file.hunks.size(); ++index) {
            if (hunkKeys.contains(file.hunks.at(index).key)) {
                any = true;
                restored.append(file.hunks.at(index).key);
            } else {
                selection.rejectedHunks[file.path].insert(index);
            }
        }
        if (!any) {
            selection.rejectedFiles.insert(file.path);
            selection.rejectedHunks.remove(file.path);
        }
    }
    if (restored.isEmpty()) {
        return makeError(Tr::tr("None of %1 was left out of revision %2 of modification %3; its left-out hunks "
                                "are listed by `astra mod revisions %3 --json` (meta.rejected).")
                             .arg(hunkKeys.join(QStringLiteral(", ")))
                             .arg(current.number)
                             .arg(id),
                         ErrorKind::NotFound);
    }
    auto tree = applySelection(m_repo, current.commit, fromCommit, selection);
    if (!tree) {
        return tree.error();
    }
    auto author = m_repo.commitAuthor(modification->headCommit);
    if (!author) {
        return author.error();
    }
    NewRevision next;
    next.baseCommit = modification->baseCommit;
    next.tree = *tree;
    next.origin = QStringLiteral("hunk_decisions");
    next.meta.insert(QStringLiteral("restored_from_revision"), from);
    next.meta.insert(QStringLiteral("restored"), QJsonArray::fromStringList(restored));
    next.author = *author;
    auto revised = addRevision(*modification, next);
    if (!revised) {
        return revised;
    }
    return testNew(*revised);
}

Result<ReviewComment>
RevisionService::comment(qint64 id, const QString &path, int line, const QString &side, const QString &body)
{
    if (body.trimmed().isEmpty()) {
        return makeError(Tr::tr("A comment needs words: say what should change and why."), ErrorKind::Invalid);
    }
    if (body.size() > 64 * 1024) {
        return makeError(Tr::tr("A comment is at most 64 KiB (this one has %1 characters): it goes into the agent's "
                                "prompt. Say it shorter, or point to a file.")
                             .arg(body.size()),
                         ErrorKind::Invalid);
    }
    if (!side.isEmpty() && side != u"new" && side != u"old") {
        return makeError(Tr::tr("'%1' is not a side of the diff; use new (the revision) or old (its base).").arg(side),
                         ErrorKind::Invalid);
    }
    if (line < 0 || (line > 0 && path.isEmpty())) {
        return makeError(Tr::tr("A comment on a line names its file (--file) and a line number from 1."),
                         ErrorKind::Invalid);
    }
    auto modification = findOpen(id, Tr::tr("commenting"));
    if (!modification) {
        return modification.error();
    }
    ReviewComment made;
    made.modificationId = id;
    made.revision = modification->revisionOf(modification->headCommit);
    made.kind = QStringLiteral("comment");
    made.path = path;
    made.line = line;
    made.side = line > 0 ? (side.isEmpty() ? QStringLiteral("new") : side) : QString();
    made.body = body.trimmed();
    made.author = actor();
    if (!path.isEmpty()) {
        const QString commit = made.side == u"old" ? modification->baseCommit : modification->headCommit;
        auto content = m_repo.readFile(commit, path.toUtf8(), 8 * 1024 * 1024);
        if (!content && (line > 0 || content.error().kind != ErrorKind::NotFound)) {
            return makeError(
                Tr::tr("%1 is not in %2 of modification %3 (%4); comment on a file the revision has.")
                    .arg(path, made.side == u"old" ? Tr::tr("the base") : Tr::tr("revision %1").arg(made.revision))
                    .arg(id)
                    .arg(content.error().message),
                ErrorKind::NotFound);
        }
        if (line > 0) {
            const QList<QByteArray> lines = content->split('\n');
            const int count = content->endsWith('\n') ? int(lines.size()) - 1 : int(lines.size());
            if (line > count) {
                return makeError(
                    Tr::tr("%1 has %2 lines in %3; there is no line %4.")
                        .arg(path)
                        .arg(count)
                        .arg(made.side == u"old" ? Tr::tr("the base") : Tr::tr("revision %1").arg(made.revision))
                        .arg(line),
                    ErrorKind::NotFound);
            }
            made.lineText = QString::fromUtf8(lines.at(line - 1));
            auto review = diffCommits(m_repo, modification->baseCommit, modification->headCommit);
            if (!review) {
                return review.error();
            }
            if (const FileDiff *file = findFile(*review, path)) {
                for (const DiffHunk &hunk : file->hunks) {
                    const bool inside = std::any_of(hunk.lines.cbegin(), hunk.lines.cend(), [&](const DiffLine &each) {
                        return (made.side == u"old" ? each.oldNo : each.newNo) == line;
                    });
                    if (inside) {
                        made.hunkKey = hunk.key;
                        made.hunkText = hunkText(hunk);
                        break;
                    }
                }
            }
        }
    }
    auto stored = m_db.writeTransaction([&]() -> Result<ReviewComment> {
        auto inserted = ModificationRepository(m_db).insertComment(made);
        if (!inserted) {
            return inserted.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("comment"), double(inserted->id));
        meta.insert(QStringLiteral("revision"), made.revision);
        if (!path.isEmpty()) {
            meta.insert(QStringLiteral("path"), path);
        }
        if (line > 0) {
            meta.insert(QStringLiteral("line"), line);
            meta.insert(QStringLiteral("side"), made.side);
        }
        meta.insert(QStringLiteral("body"), made.body);
        if (Status recorded = record(made.author, QStringLiteral("comment_added"), id, meta); !recorded) {
            return recorded.error();
        }
        return inserted;
    });
    if (stored) {
        m_decisions.checkpointAfterDecision();
    }
    return stored;
}

Result<ReviewComment> RevisionService::resolveComment(qint64 commentId, bool resolved)
{
    auto stored = m_db.writeTransaction([&]() -> Result<ReviewComment> {
        ModificationRepository repository(m_db);
        auto found = repository.comment(commentId);
        if (!found) {
            return found.error();
        }
        ReviewComment comment = *found;
        if (comment.isResolved() == resolved) {
            return comment; // already so: nothing to record
        }
        comment.resolvedBy = resolved ? actor() : QString();
        comment.resolvedAt = resolved ? isoNow() : QString();
        if (Status written = repository.updateComment(comment); !written) {
            return written.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("comment"), double(commentId));
        meta.insert(QStringLiteral("revision"), comment.revision);
        if (Status recorded = record(actor(),
                                     resolved ? QStringLiteral("comment_resolved") : QStringLiteral("comment_reopened"),
                                     comment.modificationId,
                                     meta);
            !recorded) {
            return recorded.error();
        }
        return comment;
    });
    if (stored) {
        m_decisions.checkpointAfterDecision();
    }
    return stored;
}

Result<QList<ReviewComment>> RevisionService::comments(qint64 id)
{
    if (auto modification = ModificationRepository(m_db).find(id); !modification) {
        return modification.error();
    }
    return ModificationRepository(m_db).comments(id);
}

Result<Modification> RevisionService::requestChanges(qint64 id, const std::atomic<bool> *cancel)
{
    auto modification = findOpen(id, Tr::tr("requesting changes"));
    if (!modification) {
        return modification.error();
    }
    const int revision = modification->revisionOf(modification->headCommit);
    ModificationRepository repository(m_db);
    auto all = repository.comments(id);
    if (!all) {
        return all.error();
    }
    QList<ReviewComment> open;
    QJsonArray commentArray;
    for (const ReviewComment &comment : std::as_const(*all)) {
        if (comment.isResolved() || comment.outdated || comment.revision != revision) {
            continue;
        }
        open.append(comment);
        QJsonObject item;
        item.insert(QStringLiteral("id"), double(comment.id));
        item.insert(QStringLiteral("kind"), comment.kind);
        item.insert(QStringLiteral("file"), comment.path.isEmpty() ? QJsonValue() : QJsonValue(comment.path));
        item.insert(QStringLiteral("line"), comment.line > 0 ? QJsonValue(comment.line) : QJsonValue());
        item.insert(QStringLiteral("side"), comment.side.isEmpty() ? QJsonValue() : QJsonValue(comment.side));
        item.insert(QStringLiteral("line_text"), comment.lineText);
        item.insert(QStringLiteral("hunk"), comment.hunkText);
        item.insert(QStringLiteral("text"), comment.body);
        item.insert(QStringLiteral("author"), comment.author);
        commentArray.append(item);
    }
    // The hunks turned down: those left out of this revision, and those rejected on it since.
    QJsonArray rejectedArray = modification->revisions.constLast().meta.value(QStringLiteral("rejected")).toArray();
    auto decisions = repository.hunkDecisions(id, revision);
    if (!decisions) {
        return decisions.error();
    }
    if (std::any_of(decisions->cbegin(), decisions->cend(), [](const HunkDecision &d) {
            return d.decision == rejected;
        })) {
        auto review = diffCommits(m_repo, modification->baseCommit, modification->headCommit);
        if (!review) {
            return review.error();
        }
        for (const HunkDecision &decision : std::as_const(*decisions)) {
            const FileDiff *file = decision.decision == rejected ? findFile(*review, decision.path) : nullptr;
            if (!file) {
                continue;
            }
            const DiffHunk *hunk = nullptr;
            for (const DiffHunk &each : file->hunks) {
                hunk = each.key == decision.hunkKey ? &each : hunk;
            }
            if (decision.isFile() || hunk) {
                rejectedArray.append(rejectedPart(*file, decision.isFile() ? nullptr : hunk));
            }
        }
    }
    if (open.isEmpty() && rejectedArray.isEmpty()) {
        return makeError(Tr::tr("Revision %1 of modification %2 has no open comments and no rejected hunks, so there "
                                "is nothing to send to the agent. Comment first (`astra mod comment %2 TEXT`).")
                             .arg(revision)
                             .arg(id),
                         ErrorKind::Refused);
    }
    auto goal = GoalRepository(m_db).find(modification->goalId);
    if (!goal) {
        return goal.error();
    }
    const QString proposerName = proposerKindName(m_config.proposer.kind);
    auto proposer = createProposer(proposerName, m_config);
    if (!proposer) {
        return proposer.error();
    }
    QJsonObject review;
    review.insert(QStringLiteral("modification"), double(id));
    review.insert(QStringLiteral("revision"), revision);
    review.insert(QStringLiteral("comments"), commentArray);
    review.insert(QStringLiteral("rejected_hunks"), rejectedArray);
    review.insert(QStringLiteral("instructions"),
                  QStringLiteral("A reviewer read your change (revision %1) and asks for changes. The files here are "
                                 "that revision. Address every comment; do not bring back the rejected hunks unless a "
                                 "comment asks for them. Change nothing else.")
                      .arg(revision));

    // The request is a decision: ledgered before the agent runs, whatever it answers.
    QJsonArray sentIds;
    for (const ReviewComment &comment : std::as_const(open)) {
        sentIds.append(double(comment.id));
    }
    Status requested = m_db.writeTransaction([&]() -> Status {
        QJsonObject meta;
        meta.insert(QStringLiteral("revision"), revision);
        meta.insert(QStringLiteral("comments"), sentIds);
        meta.insert(QStringLiteral("rejected_hunks"), int(rejectedArray.size()));
        meta.insert(QStringLiteral("proposer"), proposerName);
        return record(actor(), QStringLiteral("changes_requested"), id, meta);
    });
    if (!requested) {
        return requested.error();
    }

    ProposalContext context;
    context.goal = *goal;
    context.baseCommit = modification->headCommit;
    context.targetBranch = modification->targetBranch;
    context.review = review;
    QStringList paths;
    for (const ModificationFile &file : std::as_const(modification->files)) {
        if (file.change != u"deleted") {
            paths.append(file.path);
        }
    }
    for (const ReviewComment &comment : std::as_const(open)) {
        if (!comment.path.isEmpty()) {
            paths.append(comment.path);
        }
    }
    paths.removeDuplicates();
    for (const QString &path : std::as_const(paths)) {
        ProposalFile file;
        file.path = path;
        auto content =
            m_repo.readFile(modification->headCommit, path.toUtf8(), qint64(m_config.policy.maxFileKb) * 1024);
        file.exists = bool(content);
        if (content) {
            file.content = *content;
        }
        context.files.append(file);
    }
    context.logFile = QDir(outputFolder(m_stateDir, QStringLiteral("task-output")))
                          .filePath(QStringLiteral("modification-%1-revision-%2-request.log").arg(id).arg(revision));
    auto answer = (*proposer)->propose(context, m_repo, cancel);
    auto failed = [&](const Error &error) -> Error {
        Status recorded = m_db.writeTransaction([&]() -> Status {
            QJsonObject meta;
            meta.insert(QStringLiteral("revision"), revision);
            meta.insert(QStringLiteral("error"), error.message);
            return record(QStringLiteral("astra"), QStringLiteral("changes_request_failed"), id, meta);
        });
        if (!recorded) {
            m_decisions.warn(recorded.message());
        }
        m_decisions.checkpointAfterDecision();
        return error;
    };
    if (!answer) {
        return failed(answer.error());
    }
    if (answer->transcript.value(QStringLiteral("sandboxed")) == QJsonValue(false)) {
        m_decisions.warn(Tr::tr("The agent of modification %1 ran without a sandbox (sandbox = \"none\" in "
                                "[proposer]): it could read and change anything you can.")
                             .arg(id));
    }
    auto policy = PathPolicy::create(m_config.policy, policyLimitsFor(m_config));
    if (!policy) {
        return failed(policy.error());
    }
    ModificationWriter writer(m_repo, *policy);
    QList<PolicyViolation> violations;
    auto prepared = writer.prepare(modification->headCommit, answer->changes, &violations);
    if (!prepared) {
        if (!violations.isEmpty()) {
            if (Status recorded = m_modifications.recordViolations(modification->goalId,
                                                                   QStringLiteral("request_changes"),
                                                                   violations);
                !recorded) {
                m_decisions.warn(recorded.message());
            }
        }
        return failed(prepared.error());
    }
    NewRevision next;
    next.baseCommit = modification->baseCommit;
    next.tree = prepared->tree;
    next.origin = QStringLiteral("request_changes");
    next.meta.insert(QStringLiteral("from_revision"), revision);
    next.meta.insert(QStringLiteral("comments"), sentIds);
    next.meta.insert(QStringLiteral("proposer"), proposerName);
    next.meta.insert(QStringLiteral("transcript"), answer->transcript);
    if (!answer->changes.title.isEmpty()) {
        next.meta.insert(QStringLiteral("title"), answer->changes.title);
    }
    if (!answer->changes.rationale.isEmpty()) {
        next.meta.insert(QStringLiteral("rationale"), answer->changes.rationale);
    }
    for (const ReviewComment &comment : std::as_const(open)) {
        if (!comment.path.isEmpty()) {
            next.scopeAdditions.append(comment.path);
        }
    }
    next.alsoWrite = [&](int number) -> Status {
        ModificationRepository writing(m_db);
        auto now = writing.comments(id);
        if (!now) {
            return now.error();
        }
        for (ReviewComment comment : std::as_const(*now)) {
            if (sentIds.contains(double(comment.id))) {
                comment.sentInRevision = number;
                if (Status written = writing.updateComment(comment); !written) {
                    return written;
                }
            }
        }
        return {};
    };
    auto revised = addRevision(*modification, next);
    if (!revised) {
        return failed(revised.error());
    }
    return testNew(*revised);
}

Result<UpdateOutcome> RevisionService::update(qint64 id)
{
    auto modification = findOpen(id, Tr::tr("updating it"));
    if (!modification) {
        return modification.error();
    }
    auto target = m_repo.branchCommit(modification->targetBranch);
    if (!target) {
        return target.error();
    }
    if (*target == modification->baseCommit) {
        return makeError(Tr::tr("Modification %1 is already on the head of %2 (%3); there is nothing to update.")
                             .arg(id)
                             .arg(modification->targetBranch, target->left(12)),
                         ErrorKind::Refused);
    }
    auto replayed = replayChange(m_repo, modification->baseCommit, modification->headCommit, *target);
    if (!replayed) {
        return replayed.error();
    }
    const int revision = modification->revisionOf(modification->headCommit);
    UpdateOutcome outcome;
    outcome.targetHead = *target;
    if (!replayed->conflicts.isEmpty()) {
        // Nothing moves. Each conflict becomes a comment, so that it can be sent to the agent.
        outcome.conflicts = replayed->conflicts;
        Status recorded = m_db.writeTransaction([&]() -> Status {
            ModificationRepository repository(m_db);
            auto existing = repository.comments(id);
            if (!existing) {
                return existing.error();
            }
            QJsonArray added;
            for (const FileDiff &file : std::as_const(replayed->conflicts)) {
                const bool known = std::any_of(existing->cbegin(), existing->cend(), [&](const ReviewComment &c) {
                    return c.kind == u"conflict" && !c.isResolved() && c.path == file.path && c.lineText == *target;
                });
                if (known) {
                    continue;
                }
                ReviewComment conflict;
                conflict.modificationId = id;
                conflict.revision = revision;
                conflict.kind = QStringLiteral("conflict");
                conflict.path = file.path;
                conflict.lineText = *target; // the head it conflicts with
                for (const DiffHunk &hunk : file.hunks) {
                    conflict.hunkText += hunkText(hunk);
                }
                conflict.body = QStringLiteral(
                                    "%1 changed %2 since this change was made (now at %3), and both "
                                    "changes touch the same lines. The hunks show %1's version (-) "
                                    "against this change's (+).")
                                    .arg(modification->targetBranch, file.path, target->left(12));
                conflict.author = QStringLiteral("astra");
                auto inserted = repository.insertComment(conflict);
                if (!inserted) {
                    return inserted.error();
                }
                added.append(double(inserted->id));
            }
            QJsonObject meta;
            meta.insert(QStringLiteral("revision"), revision);
            meta.insert(QStringLiteral("target_head"), *target);
            meta.insert(QStringLiteral("paths"), QJsonArray::fromStringList(replayed->conflictPaths));
            meta.insert(QStringLiteral("comments"), added);
            return record(actor(), QStringLiteral("modification_update_conflicted"), id, meta);
        });
        if (!recorded) {
            return recorded.error();
        }
        m_decisions.checkpointAfterDecision();
        outcome.modification = *modification;
        return outcome;
    }
    auto targetTree = m_repo.commitTreeId(*target);
    if (!targetTree) {
        return targetTree.error();
    }
    if (replayed->tree == *targetTree) {
        return makeError(Tr::tr("%1 (now at %2) already has every change of modification %3; an update would be "
                                "empty. Reject the modification: its work is done.")
                             .arg(modification->targetBranch, target->left(12))
                             .arg(id),
                         ErrorKind::Refused);
    }
    auto author = m_repo.commitAuthor(modification->headCommit);
    if (!author) {
        return author.error();
    }
    NewRevision next;
    next.baseCommit = *target;
    next.tree = replayed->tree;
    next.origin = QStringLiteral("update");
    next.meta.insert(QStringLiteral("from_revision"), revision);
    next.meta.insert(QStringLiteral("from_base"), modification->baseCommit);
    next.meta.insert(QStringLiteral("onto"), *target);
    next.author = *author;
    next.alsoWrite = [&](int) -> Status {
        // The conflicts an earlier update met are gone with this one.
        ModificationRepository writing(m_db);
        auto now = writing.comments(id);
        if (!now) {
            return now.error();
        }
        for (ReviewComment comment : std::as_const(*now)) {
            if (comment.kind == u"conflict" && !comment.isResolved()) {
                comment.resolvedBy = QStringLiteral("astra");
                comment.resolvedAt = isoNow();
                if (Status written = writing.updateComment(comment); !written) {
                    return written;
                }
            }
        }
        return {};
    };
    auto revised = addRevision(*modification, next);
    if (!revised) {
        return revised.error();
    }
    auto tested = testNew(*revised);
    if (!tested) {
        return tested.error();
    }
    outcome.modification = *tested;
    return outcome;
}

Result<Modification> RevisionService::addRevision(const Modification &current, const NewRevision &revision)
{
    auto policy = PathPolicy::create(m_config.policy, policyLimitsFor(m_config));
    if (!policy) {
        return policy.error();
    }
    ModificationWriter writer(m_repo, *policy);
    QList<PolicyViolation> violations;
    auto prepared = writer.prepareTree(revision.baseCommit, revision.tree, &violations);
    if (!prepared) {
        if (!violations.isEmpty()) {
            if (Status recorded = m_modifications.recordViolations(current.goalId, revision.origin, violations);
                !recorded) {
                return recorded.error();
            }
            m_decisions.checkpointAfterDecision();
        }
        return prepared.error();
    }
    // The modification's scope, and what the comments it answers name: beyond it, flagged or refused.
    ModificationScope scope = current.scope;
    if (scope.state == ModificationScope::State::NotRecorded) {
        auto goal = GoalRepository(m_db).find(current.goalId);
        if (!goal) {
            return goal.error();
        }
        // As its first revision would have been checked: against the plan of the task that wrote it.
        const bool imported = !current.revisions.isEmpty() && current.revisions.constFirst().origin == u"import";
        auto found = scopeOfGoal(m_db, *goal, current.taskId, imported);
        if (!found) {
            return found.error();
        }
        scope = *found;
    }
    if (scope.state == ModificationScope::State::Stated) {
        for (const QString &path : revision.scopeAdditions) {
            scope.add(path, QStringLiteral("comment"));
        }
    }
    // The agent's answer is refused like its first change; a revision a person makes (hunk
    // decisions, restored hunks, an update onto the target) is a decision on what is there, and
    // is flagged only.
    const QList<PolicyViolation> refused =
        checkScope(scope, prepared->files, prepared->flags, m_config.policy, policySourceOf(m_config));
    if (!refused.isEmpty() && revision.origin == u"request_changes") {
        QJsonObject extra = scopeRecord(scope, prepared->files);
        extra.insert(QStringLiteral("modification"), double(current.id));
        if (Status recorded = m_modifications.recordViolations(current.goalId, revision.origin, refused, extra);
            !recorded) {
            return recorded.error();
        }
        m_decisions.checkpointAfterDecision();
        return scopeRefusal(refused, Tr::tr("A review comment on a file puts it in the scope of the next revision."));
    }
    const int previous = current.revisions.constLast().number;
    const int number = previous + 1;
    auto message = m_repo.commitMessage(current.headCommit);
    if (!message) {
        return message.error();
    }
    auto commit = writer.commit(*prepared, withRevisionTrailer(*message, number), revision.author);
    if (!commit) {
        return commit.error();
    }
    bool refWritten = false;
    bool branchMoved = false;
    bool revisionPublished = false;
    const auto teamRefs = m_decisions.holdTeamRefs();
    auto done = m_db.writeTransaction([&]() -> Result<Modification> {
        // One writer at a time, in every process: the refs and the branch move under this lock.
        if (auto locked = m_ledger.lockHead(); !locked) {
            return locked.error();
        }
        ModificationRepository repository(m_db);
        auto now = repository.find(current.id);
        if (!now) {
            return now.error();
        }
        if (now->version != current.version || now->headCommit != current.headCommit) {
            return makeError(Tr::tr("Modification %1 was changed by someone else while revision %2 was being made (it "
                                    "is at revision %3 now); nothing was written. Look at it again.")
                                 .arg(current.id)
                                 .arg(number)
                                 .arg(now->revisionOf(now->headCommit)),
                             ErrorKind::Conflict);
        }
        // Every revision stays readable (interdiffs, restoring) once the branch has moved on.
        if (Status kept = keepRevisionRef(m_repo, current.id, previous, current.headCommit); !kept) {
            return kept.error();
        }
        if (Status kept = keepRevisionRef(m_repo, current.id, number, *commit); !kept) {
            return kept.error();
        }
        refWritten = true;
        Modification row = current;
        if (row.status != ModificationStatus::Pending) {
            // A new revision is untested: approval and test results of the old one do not carry over.
            QJsonObject meta;
            meta.insert(QStringLiteral("revision"), number);
            meta.insert(QStringLiteral("origin"), revision.origin);
            auto requeued = Transitions(m_db, m_ledger)
                                .modification(row, ModificationStatus::Pending, TransitionCause{actor(), {}, meta});
            if (!requeued) {
                return requeued.error();
            }
            row = *requeued;
        }
        auto updated = repository.updateRevision(row, revision.baseCommit, *commit, prepared->flags, scope);
        if (!updated) {
            return updated.error();
        }
        if (Status stored = repository.replaceFiles(current.id, prepared->files); !stored) {
            return stored.error();
        }
        Revision made;
        made.modificationId = current.id;
        made.number = number;
        made.commit = *commit;
        made.baseCommit = revision.baseCommit;
        made.origin = revision.origin;
        made.createdBy = actor();
        made.createdAt = isoNow();
        made.meta = revision.meta;
        made.meta.insert(QStringLiteral("scope"), scope.toJson());
        auto revisionId = repository.insertRevision(made);
        if (!revisionId) {
            return revisionId.error();
        }
        made.id = *revisionId;
        if (Status moved = carryComments(current, *commit, revision.baseCommit, number); !moved) {
            return moved.error();
        }
        if (revision.alsoWrite) {
            if (Status written = revision.alsoWrite(number); !written) {
                return written.error();
            }
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("revision"), number);
        meta.insert(QStringLiteral("from_revision"), previous);
        meta.insert(QStringLiteral("origin"), revision.origin);
        meta.insert(QStringLiteral("commit"), *commit);
        meta.insert(QStringLiteral("base"), revision.baseCommit);
        meta.insert(QStringLiteral("files"), int(prepared->files.size()));
        meta.insert(QStringLiteral("flags"), QJsonArray::fromStringList(prepared->flags));
        meta.insert(QStringLiteral("scope"), scope.toJson());
        for (const QString &key : revision.meta.keys()) {
            // The ledger names what was decided; the agent's words and transcript stay with the revision.
            if (!meta.contains(key) && key != u"rationale" && key != u"title" && key != u"transcript") {
                meta.insert(key, revision.meta.value(key));
            }
        }
        if (Status recorded = record(actor(), QStringLiteral("modification_revised"), current.id, meta); !recorded) {
            return recorded.error();
        }
        if (Status moved =
                moveBranch(m_repo,
                           current.branch,
                           current.headCommit,
                           *commit,
                           QStringLiteral("astra: revision %1 of modification %2").arg(number).arg(current.id));
            !moved) {
            return moved.error();
        }
        branchMoved = true;
        crashPoint("revision-branch-moved");
        // In a clone that follows the team's repository, the revision is there before its rows
        // are. The branch is forced: a revision may be replayed onto a new base, and the rows,
        // read under the ledger's lock above, say it was still at the revision it replaces. A
        // push is not atomic across refs: a failed one may have written some, so it is undone.
        revisionPublished = !m_decisions.teamRemote().isEmpty();
        if (Status published = m_decisions.publish({QStringLiteral("+refs/heads/%1:refs/heads/%1").arg(current.branch),
                                                    sameName(revisionRefName(current.id, previous)),
                                                    sameName(revisionRefName(current.id, number))});
            !published) {
            return published.error();
        }
        Modification result = *updated;
        result.files = prepared->files;
        result.revisions = current.revisions;
        result.revisions.append(made);
        return result;
    });
    if (!done) {
        if (branchMoved) {
            // The rows were rolled back: the branch goes back to the revision they name.
            if (Status restored =
                    moveBranch(m_repo, current.branch, *commit, current.headCommit, QStringLiteral("astra: undo"));
                !restored) {
                qCWarning(lcWorkspace) << "could not move" << current.branch << "back:" << restored.message();
            }
        }
        if (revisionPublished) {
            m_decisions.publishUndo({QStringLiteral("+refs/heads/%1:refs/heads/%1").arg(current.branch),
                                     QStringLiteral(":") + revisionRefName(current.id, number)});
        }
        if (refWritten) {
            if (Status dropped = dropRevisionRefs(m_repo, current.id, number); !dropped) {
                qCWarning(lcWorkspace) << "could not remove the ref of revision" << number << dropped.message();
            }
        }
        return done.error();
    }
    m_decisions.checkpointAfterDecision();
    return done;
}

Status RevisionService::carryComments(const Modification &current,
                                      const QString &newCommit,
                                      const QString &newBase,
                                      int newNumber)
{
    ModificationRepository repository(m_db);
    auto all = repository.comments(current.id);
    if (!all) {
        return all.error();
    }
    const int currentNumber = current.revisionOf(current.headCommit);
    std::optional<TreeDiff> between;
    for (ReviewComment comment : std::as_const(*all)) {
        if (comment.isResolved() || comment.outdated || comment.revision != currentNumber) {
            continue;
        }
        if (comment.side == u"old" && comment.line > 0 && newBase != current.baseCommit) {
            comment.outdated = true; // on a line of the old base
        } else if (!comment.path.isEmpty() && comment.side != u"old") {
            if (!between) {
                TreeDiffOptions options;
                options.contextLines = 0;
                auto made = diffCommits(m_repo, current.headCommit, newCommit, options);
                if (!made) {
                    return made.error();
                }
                between = std::move(*made);
            }
            const FileDiff *file = nullptr;
            for (const FileDiff &each : std::as_const(between->files)) {
                file = each.oldPath == comment.path || (each.change == u"added" && each.path == comment.path) ? &each
                                                                                                              : file;
            }
            if (file && file->change == u"deleted") {
                comment.outdated = true;
            } else if (file) {
                comment.path = file->path;
                if (comment.line > 0) {
                    const std::optional<int> moved = followLine(*file, comment.line);
                    comment.outdated = !moved.has_value();
                    comment.line = moved.value_or(comment.line);
                }
            }
        }
        if (!comment.outdated) {
            comment.revision = newNumber;
        }
        if (Status written = repository.updateComment(comment); !written) {
            return written;
        }
    }
    return {};
}

Result<Modification> RevisionService::testNew(const Modification &revised)
{
    if (m_config.tests.command.trimmed().isEmpty()) {
        m_decisions.warn(Tr::tr("Revision %1 of modification %2 is not tested: [tests] command is empty in %3. It "
                                "cannot be approved until it is tested.")
                             .arg(revised.revisions.constLast().number)
                             .arg(revised.id)
                             .arg(m_config.sourcePath));
        return revised;
    }
    auto tested = m_modifications.test(revised.id);
    if (!tested) {
        m_decisions.warn(Tr::tr("Revision %1 of modification %2 was made but could not be tested: %3")
                             .arg(revised.revisions.constLast().number)
                             .arg(revised.id)
                             .arg(tested.message()));
        return ModificationRepository(m_db).find(revised.id);
    }
    tested->revisions = revised.revisions;
    return tested;
}

} // namespace astra
