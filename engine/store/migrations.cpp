#include "store/migrations.h"

#include <QCryptographicHash>

namespace astra {

QString Migration::checksum() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QString::number(version).toUtf8());
    hash.addData(QByteArrayLiteral("\n"));
    hash.addData(name.toUtf8());
    for (const QString &statement : statements) {
        hash.addData(QByteArrayLiteral("\n;\n"));
        hash.addData(statement.toUtf8());
    }
    return QString::fromLatin1(hash.result().toHex());
}

QString Migration::label() const
{
    return QStringLiteral("%1 %2").arg(version, 4, 10, QLatin1Char('0')).arg(name);
}

QList<Migration> builtinMigrations()
{
    QList<Migration> migrations;

    // Timestamps are ISO 8601 UTC text with milliseconds ("2026-11-22T05:22:25.123Z"): they
    // sort as text and read the same on both databases. JSON columns are text.
    migrations.append(Migration{
        1,
        QStringLiteral("domain"),
        {
            QStringLiteral(R"(CREATE TABLE proposals (
    id ${ID},
    detector TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    evidence TEXT NOT NULL DEFAULT '{}',
    decision TEXT NOT NULL CHECK (decision IN ('pending', 'accepted', 'refused')),
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
))"),
            QStringLiteral("CREATE INDEX proposals_fingerprint ON proposals (fingerprint)"),
            QStringLiteral(R"(CREATE TABLE goals (
    id ${ID},
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('proposed', 'active', 'planned', 'executing', 'awaiting_review',
        'completed', 'rejected', 'failed', 'abandoned')),
    source TEXT NOT NULL CHECK (source IN ('user', 'system', 'collaborative')),
    created_by TEXT NOT NULL,
    proposal_id BIGINT REFERENCES proposals (id),
    confidence DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (confidence >= 0 AND confidence <= 1),
    priority INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '{}',
    auto_approved INTEGER NOT NULL DEFAULT 0 CHECK (auto_approved IN (0, 1)),
    state_reason TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
))"),
            QStringLiteral("CREATE INDEX goals_state ON goals (state)"),
            QStringLiteral("CREATE INDEX goals_fingerprint ON goals (fingerprint)"),
            QStringLiteral(R"(CREATE TABLE plans (
    id ${ID},
    goal_id BIGINT NOT NULL REFERENCES goals (id),
    state TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'superseded', 'failed')),
    domain TEXT NOT NULL,
    problem TEXT NOT NULL DEFAULT '',
    approved_by TEXT,
    approved_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
))"),
            QStringLiteral("CREATE INDEX plans_goal ON plans (goal_id)"),
            QStringLiteral(R"(CREATE TABLE plan_nodes (
    id ${ID},
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    parent_id BIGINT REFERENCES plan_nodes (id),
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('task', 'method', 'action', 'rejected_method')),
    name TEXT NOT NULL,
    arguments TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
))"),
            QStringLiteral("CREATE INDEX plan_nodes_plan ON plan_nodes (plan_id, parent_id, ordinal)"),
            QStringLiteral(R"(CREATE TABLE tasks (
    id ${ID},
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    plan_node_id BIGINT REFERENCES plan_nodes (id),
    goal_id BIGINT NOT NULL REFERENCES goals (id),
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'skipped')),
    input TEXT NOT NULL DEFAULT '{}',
    output TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    timeout_s INTEGER NOT NULL DEFAULT 600,
    not_before TEXT,
    claimed_by TEXT,
    claimed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
))"),
            QStringLiteral("CREATE INDEX tasks_state ON tasks (state, not_before)"),
            QStringLiteral("CREATE INDEX tasks_plan ON tasks (plan_id, ordinal)"),
            QStringLiteral(R"(CREATE TABLE task_runs (
    id ${ID},
    task_id BIGINT REFERENCES tasks (id),
    job_name TEXT,
    kind TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'timeout', 'cancelled', 'error')),
    exit_code INTEGER,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms BIGINT,
    worker TEXT NOT NULL DEFAULT '',
    output_path TEXT,
    summary TEXT NOT NULL DEFAULT '',
    report TEXT NOT NULL DEFAULT '{}',
    CHECK (task_id IS NOT NULL OR job_name IS NOT NULL)
))"),
            QStringLiteral("CREATE INDEX task_runs_job ON task_runs (job_name, started_at)"),
            QStringLiteral("CREATE INDEX task_runs_task ON task_runs (task_id)"),
            QStringLiteral(R"(CREATE TABLE modifications (
    id ${ID},
    goal_id BIGINT NOT NULL REFERENCES goals (id),
    task_id BIGINT REFERENCES tasks (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'testing', 'awaiting_approval', 'approved', 'merged',
        'rejected', 'tests_failed', 'conflicted', 'rolled_back')),
    title TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    branch TEXT NOT NULL,
    target_branch TEXT NOT NULL,
    base_commit TEXT NOT NULL,
    head_commit TEXT,
    merge_commit TEXT,
    revert_commit TEXT,
    flags TEXT NOT NULL DEFAULT '[]',
    conflict_paths TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
))"),
            QStringLiteral("CREATE INDEX modifications_status ON modifications (status)"),
            QStringLiteral("CREATE INDEX modifications_goal ON modifications (goal_id)"),
            QStringLiteral(R"(CREATE TABLE modification_files (
    id ${ID},
    modification_id BIGINT NOT NULL REFERENCES modifications (id),
    path TEXT NOT NULL,
    old_path TEXT,
    change TEXT NOT NULL CHECK (change IN ('added', 'modified', 'deleted', 'renamed')),
    old_blob TEXT,
    new_blob TEXT,
    mode INTEGER,
    additions INTEGER NOT NULL DEFAULT 0,
    deletions INTEGER NOT NULL DEFAULT 0,
    flags TEXT NOT NULL DEFAULT '[]',
    UNIQUE (modification_id, path)
))"),
            QStringLiteral(R"(CREATE TABLE test_results (
    id ${ID},
    modification_id BIGINT NOT NULL REFERENCES modifications (id),
    commit_id TEXT NOT NULL,
    command TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'passed', 'failed', 'timeout', 'error')),
    exit_code INTEGER,
    passed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    report TEXT NOT NULL DEFAULT '{}',
    output_path TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
))"),
            QStringLiteral("CREATE INDEX test_results_modification ON test_results (modification_id)"),
            QStringLiteral(R"(CREATE TABLE reviews (
    id ${ID},
    modification_id BIGINT REFERENCES modifications (id),
    goal_id BIGINT REFERENCES goals (id),
    plan_id BIGINT REFERENCES plans (id),
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'merged', 'rolled_back', 'comment')),
    reason TEXT NOT NULL DEFAULT '',
    head_seen TEXT,
    created_at TEXT NOT NULL,
    CHECK (modification_id IS NOT NULL OR goal_id IS NOT NULL OR plan_id IS NOT NULL)
))"),
        },
    });

    // The audit ledger. `ledger_head` holds the last seq and hash; every append moves it with
    // a compare-and-swap in the same transaction as the change, so two writers cannot both
    // extend the chain from the same entry. Archived entries move to JSONL segment files
    // listed in `ledger_segments`.
    migrations.append(Migration{
        2,
        QStringLiteral("ledger"),
        {
            QStringLiteral(R"(CREATE TABLE ledger (
    seq BIGINT PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    meta TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
))"),
            QStringLiteral(R"(CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
))"),
            QStringLiteral("INSERT INTO ledger_head (id, seq, hash) VALUES "
                           "(1, 0, '0000000000000000000000000000000000000000000000000000000000000000')"),
            QStringLiteral(R"(CREATE TABLE ledger_segments (
    id ${ID},
    first_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    first_prev_hash TEXT NOT NULL,
    last_hash TEXT NOT NULL,
    file_name TEXT NOT NULL UNIQUE,
    file_sha256 TEXT NOT NULL,
    entries BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (last_seq >= first_seq)
))"),
        },
    });

    // Who is running a test: "<host>:<pid>:<process start time>", so that a process that died
    // mid-run can be told from one that is still working.
    migrations.append(Migration{
        3,
        QStringLiteral("test runner"),
        {
            QStringLiteral("ALTER TABLE test_results ADD COLUMN runner TEXT NOT NULL DEFAULT ''"),
        },
    });

    // Plans keep what the planner said (outcome, the IPC plan text, the failure trace, effort);
    // tasks can be asked to stop by another process; a plan node remembers its planner id.
    migrations.append(Migration{
        4,
        QStringLiteral("planning and scheduling"),
        {
            QStringLiteral("ALTER TABLE plans ADD COLUMN outcome TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE plans ADD COLUMN ipc_plan TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE plans ADD COLUMN failure TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE plans ADD COLUMN expansions BIGINT NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE plans ADD COLUMN elapsed_ms BIGINT NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE plans ADD COLUMN state_reason TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE plan_nodes ADD COLUMN planner_id INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE tasks ADD COLUMN summary TEXT NOT NULL DEFAULT ''"),
        },
    });

    // A refused proposal names the generator check that refused it, so that lists and the
    // workstation can group refusals without reading the ledger.
    migrations.append(Migration{
        5,
        QStringLiteral("proposal checks"),
        {
            QStringLiteral("ALTER TABLE proposals ADD COLUMN refused_by TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("CREATE INDEX proposals_created ON proposals (created_at)"),
        },
    });

    // The last ledger checkpoint written to each repository's refs/astra/ledger, so that a ref
    // moved back, deleted or replaced is told apart from one that was never written. Keyed by
    // the repository (host and git dir), since workspaces on several machines can share a
    // database while each clone keeps its own ref.
    migrations.append(Migration{
        6,
        QStringLiteral("ledger checkpoints"),
        {
            QStringLiteral(R"(CREATE TABLE ledger_checkpoints (
    repository TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL
))"),
        },
    });

    // A modification's versions: revision 1 is the commit it was made with; later ones come
    // from hunk decisions, requested changes and updates. A review names the revision it saw.
    migrations.append(Migration{
        7,
        QStringLiteral("revisions"),
        {
            QStringLiteral(R"(CREATE TABLE revisions (
    id ${ID},
    modification_id BIGINT NOT NULL REFERENCES modifications (id),
    number INTEGER NOT NULL,
    commit_id TEXT NOT NULL,
    base_commit TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('agent', 'import', 'hunk_decisions', 'request_changes', 'update')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    UNIQUE (modification_id, number)
))"),
            QStringLiteral(
                "INSERT INTO revisions (modification_id, number, commit_id, base_commit, origin, created_by, "
                "created_at) SELECT id, 1, head_commit, base_commit, CASE WHEN task_id IS NULL THEN "
                "'import' ELSE 'agent' END, 'astra', created_at FROM modifications WHERE head_commit IS "
                "NOT NULL"),
            QStringLiteral("ALTER TABLE reviews ADD COLUMN revision INTEGER"),
        },
    });

    // What a reviewer says about a revision: a decision on each hunk or file (accepted or
    // rejected, applied as a new revision), and comments on a line, a hunk or the whole change
    // that go back to the agent, move with their line to the next revision and are resolved.
    migrations.append(Migration{
        8,
        QStringLiteral("hunk decisions and review comments"),
        {
            QStringLiteral(R"(CREATE TABLE hunk_decisions (
    id ${ID},
    modification_id BIGINT NOT NULL REFERENCES modifications (id),
    revision INTEGER NOT NULL,
    path TEXT NOT NULL,
    hunk_key TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    UNIQUE (modification_id, revision, path, hunk_key)
))"),
            QStringLiteral(R"(CREATE TABLE review_comments (
    id ${ID},
    modification_id BIGINT NOT NULL REFERENCES modifications (id),
    revision INTEGER NOT NULL,
    first_revision INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'conflict')),
    path TEXT,
    line INTEGER,
    first_line INTEGER,
    side TEXT CHECK (side IN ('old', 'new')),
    hunk_key TEXT,
    line_text TEXT,
    hunk_text TEXT,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    outdated INTEGER NOT NULL DEFAULT 0,
    sent_in_revision INTEGER,
    resolved_by TEXT,
    resolved_at TEXT
))"),
            QStringLiteral("CREATE INDEX review_comments_modification ON review_comments (modification_id)"),
        },
    });

    // A rejected method's cause and a failed plan's obstacle, structured, so that views can word
    // them in the reader's language and link them to the domain's source.
    migrations.append(Migration{
        9,
        QStringLiteral("plan causes"),
        {
            QStringLiteral("ALTER TABLE plan_nodes ADD COLUMN why TEXT NOT NULL DEFAULT '{}'"),
            QStringLiteral("ALTER TABLE plans ADD COLUMN failure_why TEXT NOT NULL DEFAULT '{}'"),
        },
    });

    // Teams on one database: a running task holds a lease (timed by the database's clock) that
    // its worker renews; an approval is withdrawn when the change is tested again or revised, so
    // that only approvals of what is there count towards the approvals a team requires; people
    // are asked to review.
    migrations.append(Migration{
        10,
        QStringLiteral("teams"),
        {
            QStringLiteral("ALTER TABLE tasks ADD COLUMN lease_until TEXT"),
            QStringLiteral("CREATE INDEX tasks_lease ON tasks (state, lease_until)"),
            QStringLiteral("ALTER TABLE reviews ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral(R"(CREATE TABLE review_assignments (
    id ${ID},
    modification_id BIGINT NOT NULL REFERENCES modifications (id),
    person TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    UNIQUE (modification_id, person)
))"),
        },
    });

    // What each modification was asked to change, and how far beyond that it went (per revision,
    // with its flags). NULL: made before scopes were kept.
    migrations.append(Migration{
        11,
        QStringLiteral("modification scope"),
        {
            QStringLiteral("ALTER TABLE modifications ADD COLUMN scope TEXT"),
        },
    });

    return migrations;
}

} // namespace astra
