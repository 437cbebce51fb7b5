#include "workspace/recovery.h"

#include "base/logging.h"
#include "base/processid.h"
#include "git/gitrepository.h"
#include "git/merger.h"
#include "git/revisions.h"
#include "policy/pathpolicy.h"
#include "scheduling/scheduler.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/transitions.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QRegularExpression>
#include <QSet>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

// The Astra-Modification trailer of a commit message, or 0.
qint64 modificationTrailer(const QString &message)
{
    static const QRegularExpression trailer(QStringLiteral("^Astra-Modification: (\\d+)$"),
                                            QRegularExpression::MultilineOption);
    const auto match = trailer.match(message);
    return match.hasMatch() ? match.captured(1).toLongLong() : 0;
}

// The Astra-Revision trailer of a commit message (a revision after the first), or 0.
int revisionTrailer(const QString &message)
{
    static const QRegularExpression trailer(QStringLiteral("^Astra-Revision: (\\d+)$"),
                                            QRegularExpression::MultilineOption);
    const auto match = trailer.match(message);
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

// Whether `commit` is what merging `modification` put on its target: its approved commit, or
// the commit the merge made of it (same tree and parents, the merger as committer, its trailer).
bool landsApproved(GitRepository &repo, const QString &commit, const Modification &modification)
{
    if (commit == modification.headCommit) {
        return true;
    }
    auto same = repo.sameTreeAndParents(commit, modification.headCommit);
    if (!same || !*same) {
        return false;
    }
    auto message = repo.commitMessage(commit);
    return message && modificationTrailer(*message) == modification.id;
}

// Whether `commit` on the target is the merge of `modification`: the landed commit itself (a
// fast-forward) or a merge commit whose second parent it is.
bool mergesApproved(GitRepository &repo, const QString &commit, const Modification &modification)
{
    if (landsApproved(repo, commit, modification)) {
        return true;
    }
    auto parents = repo.commitParents(commit);
    return parents && parents->size() == 2 && landsApproved(repo, parents->at(1), modification);
}
} // namespace

Status recoverInterrupted(Database &db, GitRepository &repo, Ledger &ledger, bool decisionsHere)
{
    // Tasks left running by a dead process are requeued (or failed after their last attempt).
    if (Status tasks = recoverDeadTasks(db, ledger); !tasks) {
        return tasks;
    }
    // A checked-out branch that moved while its work tree was not yet updated: the files and
    // the index follow it now, before anything reads the target.
    auto finished = finishInterruptedCheckout(repo);
    if (!finished) {
        return finished.error();
    }
    if (finished->done) {
        qCInfo(lcGit) << "recovery: finished the checkout of" << finished->branch << "at" << finished->to;
        Status logged = db.writeTransaction([&]() -> Status {
            if (auto locked = ledger.lockHead(); !locked) {
                return locked.error();
            }
            QJsonObject meta;
            meta.insert(QStringLiteral("recovered"), true);
            meta.insert(QStringLiteral("branch"), finished->branch);
            meta.insert(QStringLiteral("from"), finished->from);
            meta.insert(QStringLiteral("to"), finished->to);
            auto entry = ledger.append(LedgerRecord{QStringLiteral("astra"),
                                                    QStringLiteral("checkout_finished"),
                                                    QStringLiteral("workspace"),
                                                    meta});
            return entry ? Status() : Status(entry.error());
        });
        if (!logged) {
            return logged;
        }
    }
    // A read-only look first, so that opening a workspace with nothing to repair takes no lock.
    {
        auto all = ModificationRepository(db).list();
        auto branches = repo.branches(QStringLiteral("astra/goal-"));
        if (!all || !branches) {
            return all ? branches.error() : all.error();
        }
        QSet<QString> recordedBranches;
        bool candidates = false;
        QHash<QString, QString> targetHeads;
        QHash<QString, QString> headMessages;
        for (const Modification &modification : std::as_const(*all)) {
            recordedBranches.insert(modification.branch);
            if (modification.status == ModificationStatus::Testing) {
                candidates = true;
            }
            if (!decisionsHere
                || (modification.status != ModificationStatus::Approved
                    && modification.status != ModificationStatus::Merged)) {
                continue;
            }
            if (!targetHeads.contains(modification.targetBranch)) {
                auto head = repo.branchCommit(modification.targetBranch);
                targetHeads.insert(modification.targetBranch, head ? *head : QString());
            }
            const QString head = targetHeads.value(modification.targetBranch);
            if (head.isEmpty()) {
                continue;
            }
            // A crash between moving the ref and recording it leaves the ref's commit on top
            // (someone may have committed since; the full walk below then finds it too).
            if (modification.status == ModificationStatus::Approved) {
                candidates = candidates || mergesApproved(repo, head, modification);
            } else {
                if (!headMessages.contains(head)) {
                    auto message = repo.commitMessage(head);
                    headMessages.insert(head, message ? *message : QString());
                }
                const QString message = headMessages.value(head);
                candidates = candidates
                    || (message.startsWith(QStringLiteral("Revert "))
                        && modificationTrailer(message) == modification.id);
            }
        }
        QHash<QString, QString> recordedHeads;
        for (const Modification &modification : std::as_const(*all)) {
            recordedHeads.insert(modification.branch, modification.headCommit);
        }
        for (const auto &branch : std::as_const(*branches)) {
            // Unrecorded, or moved to a revision whose rows were not written.
            candidates = candidates || !recordedBranches.contains(branch.first)
                || recordedHeads.value(branch.first) != branch.second;
        }
        if (!candidates) {
            return {};
        }
    }
    // A decision being made right now by another process (its branch moved, its row not yet
    // written) is not a crash: its turn is waited for, as a merge waits for another's. Taken
    // before the database's write lock, in the order every decision takes them.
    const TargetMoveLock decisions(repo);
    // One writer at a time: no other process is between creating a branch and recording it.
    return db.writeTransaction([&]() -> Status {
        if (auto locked = ledger.lockHead(); !locked) {
            return locked.error();
        }
        ModificationRepository repository(db);
        auto all = repository.list();
        if (!all) {
            return all.error();
        }
        QHash<qint64, Modification> byId;
        for (const Modification &modification : std::as_const(*all)) {
            byId.insert(modification.id, modification);
        }
        Transitions transitions(db, ledger);
        // A repair is ledgered like the change it completes, marked as recovered.
        auto recovered = [](QJsonObject meta) {
            meta.insert(QStringLiteral("recovered"), true);
            return TransitionCause{QStringLiteral("astra"), {}, meta};
        };
        auto record = [&](const QString &event, const QString &subject, const QJsonObject &meta) -> Status {
            QJsonObject withFlag = meta;
            withFlag.insert(QStringLiteral("recovered"), true);
            auto entry = ledger.append(LedgerRecord{QStringLiteral("astra"), event, subject, withFlag});
            return entry ? Status() : Status(entry.error());
        };

        // 1. Branches of modifications that were never recorded.
        auto branches = repo.branches(QStringLiteral("astra/goal-"));
        if (!branches) {
            return branches.error();
        }
        static const QRegularExpression name(QStringLiteral("^astra/goal-(\\d+)-(\\d+)$"));
        for (const auto &branch : std::as_const(*branches)) {
            const auto match = name.match(branch.first);
            if (!match.hasMatch()) {
                continue;
            }
            const qint64 id = match.captured(2).toLongLong();
            if (byId.contains(id) && byId.value(id).branch == branch.first) {
                // A new revision's branch move whose rows were rolled back (or never written):
                // the branch goes back to the revision the rows name.
                const Modification &recorded = byId.value(id);
                if (branch.second == recorded.headCommit || recorded.headCommit.isEmpty()
                    || recorded.revisionOf(branch.second) > 0) {
                    continue;
                }
                auto message = repo.commitMessage(branch.second);
                if (!message || modificationTrailer(*message) != id || revisionTrailer(*message) == 0) {
                    continue; // not a revision Astra made: leave it (merge refuses a moved branch)
                }
                if (Status moved = moveBranch(repo,
                                              branch.first,
                                              branch.second,
                                              recorded.headCommit,
                                              QStringLiteral("astra: recovery of modification %1").arg(id));
                    !moved) {
                    return moved;
                }
                if (Status dropped = dropRevisionRefs(repo, id, revisionTrailer(*message)); !dropped) {
                    return dropped;
                }
                QJsonObject meta;
                meta.insert(QStringLiteral("branch"), branch.first);
                meta.insert(QStringLiteral("unrecorded"), branch.second);
                meta.insert(QStringLiteral("commit"), recorded.headCommit);
                if (Status logged = record(QStringLiteral("revision_branch_restored"),
                                           QStringLiteral("modification:%1").arg(id),
                                           meta);
                    !logged) {
                    return logged;
                }
                continue;
            }
            auto message = repo.commitMessage(branch.second);
            if (!message || modificationTrailer(*message) != id) {
                continue; // not ours: leave it
            }
            if (Status removed = repo.deleteBranch(branch.first, branch.second); !removed) {
                return removed;
            }
            QJsonObject meta;
            meta.insert(QStringLiteral("branch"), branch.first);
            meta.insert(QStringLiteral("commit"), branch.second);
            if (Status logged =
                    record(QStringLiteral("orphan_branch_removed"), QStringLiteral("modification:%1").arg(id), meta);
                !logged) {
                return logged;
            }
        }

        for (const Modification &modification : std::as_const(*all)) {
            // 2. A merge whose ref moved but whose row did not.
            if (decisionsHere && modification.status == ModificationStatus::Approved) {
                auto target = repo.branchCommit(modification.targetBranch);
                if (!target) {
                    continue;
                }
                auto history = repo.firstParentHistory(*target, 200);
                if (!history) {
                    return history.error();
                }
                QString mergeCommit;
                for (const QString &commit : std::as_const(*history)) {
                    if (mergesApproved(repo, commit, modification)) {
                        mergeCommit = commit;
                        break;
                    }
                }
                if (!mergeCommit.isEmpty()) {
                    Modification updated = modification;
                    updated.mergeCommit = mergeCommit;
                    QJsonObject meta;
                    meta.insert(QStringLiteral("commit"), mergeCommit);
                    auto moved = transitions.modification(updated, ModificationStatus::Merged, recovered(meta));
                    if (!moved) {
                        return moved.error();
                    }
                }
            }
            // 3. A rollback whose revert commit landed but whose row did not.
            if (decisionsHere && modification.status == ModificationStatus::Merged) {
                auto target = repo.branchCommit(modification.targetBranch);
                if (!target) {
                    continue;
                }
                auto history = repo.firstParentHistory(*target, 200);
                if (!history) {
                    return history.error();
                }
                for (const QString &commit : std::as_const(*history)) {
                    if (commit == modification.mergeCommit) {
                        break;
                    }
                    auto message = repo.commitMessage(commit);
                    if (message && message->startsWith(QStringLiteral("Revert "))
                        && modificationTrailer(*message) == modification.id) {
                        Modification updated = modification;
                        updated.revertCommit = commit;
                        QJsonObject meta;
                        meta.insert(QStringLiteral("commit"), commit);
                        auto moved = transitions.modification(updated, ModificationStatus::RolledBack, recovered(meta));
                        if (!moved) {
                            return moved.error();
                        }
                        break;
                    }
                }
            }
            // 4. Tests that were running in a process of this machine that is gone.
            if (modification.status == ModificationStatus::Testing) {
                auto runners = repository.runningTestRunners(modification.id);
                if (!runners) {
                    return runners.error();
                }
                const bool abandoned =
                    !runners->isEmpty() && std::all_of(runners->cbegin(), runners->cend(), [](const QString &runner) {
                        return isDeadLocalProcess(runner);
                    });
                if (!abandoned) {
                    continue;
                }
                auto closed =
                    db.execUpdate(Tr::tr("Closing interrupted test runs"),
                                  QStringLiteral("UPDATE test_results SET outcome = 'error', finished_at = ? "
                                                 "WHERE modification_id = ? AND outcome = 'running'"),
                                  {QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), modification.id});
                if (!closed) {
                    return closed.error();
                }
                auto moved = transitions.modification(modification, ModificationStatus::Pending, recovered({}));
                if (!moved) {
                    return moved.error();
                }
            }
        }
        return {};
    });
}

} // namespace astra
