#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>

namespace astra {

// A snapshot of a workspace for `astra status` and the workstation's status page.
struct WorkspaceStatus
{
    QString workDir;
    QString gitDir;
    QString headBranch;
    QString targetBranch;
    QString database;
    QString teamRemote; // git config astra.remote: this clone follows the team's repository through it
    QString configPath;
    bool configFromFile = false;
    QString policySource; // where [policy] in force comes from when not configPath
    QString person; // who acts here, as decisions record them (an e-mail address, or a user)
    int requiredApprovals = 1; // [team] required_approvals

    int schemaVersion = 0;
    QList<QPair<QString, int>> goalsByState; // every state, in life-cycle order
    int openGoals = 0;
    int modificationsAwaitingReview = 0;
    int tasksQueued = 0; // of approved plans
    int tasksAwaitingPlanApproval = 0; // queued under a plan nobody approved yet
    int tasksRunning = 0;
    QString scheduler; // "idle" or "running"
    qint64 ledgerEntries = 0;
    QString ledgerHead;
    // The generator's latest refusals (newest first, at most five): what it would not pursue, and why.
    struct Refusal
    {
        qint64 proposalId = 0;
        QString title;
        QString check;
        QString reason;
    };
    QList<Refusal> recentRefusals;

    QJsonObject toJson() const;
};

} // namespace astra

Q_DECLARE_METATYPE(astra::WorkspaceStatus)
