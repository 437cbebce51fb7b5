#include "diffmodel.h"

#include "common/labels.h"

#include <QCryptographicHash>
#include <QLocale>

#include <algorithm>

namespace astra {

namespace {
// Where a hunk starts and ends in the old and new text (the first line it covers, the first
// line after it); a hunk with no lines on a side sits after its start line.
int firstOld(const DiffHunk &hunk)
{
    return hunk.oldLines == 0 ? hunk.oldStart + 1 : hunk.oldStart;
}
int endOld(const DiffHunk &hunk)
{
    return firstOld(hunk) + hunk.oldLines;
}
int endNew(const DiffHunk &hunk)
{
    return (hunk.newLines == 0 ? hunk.newStart + 1 : hunk.newStart) + hunk.newLines;
}

QString modeName(quint32 mode)
{
    switch (mode & 0170000) {
    case 0120000:
        return DiffModel::tr("symbolic link");
    case 0160000:
        return DiffModel::tr("submodule");
    default:
        return (mode & 0111) != 0 ? DiffModel::tr("executable file") : DiffModel::tr("file");
    }
}

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes);
}

QString marked(const DiffLine &line, bool withMarks)
{
    if (!withMarks || line.changed.isEmpty()) {
        return line.text;
    }
    const QString open = line.origin == '-' ? QStringLiteral("[-") : QStringLiteral("{+");
    const QString close = line.origin == '-' ? QStringLiteral("-]") : QStringLiteral("+}");
    QString out;
    int at = 0;
    for (const CharRange &range : line.changed) {
        out += line.text.mid(at, range.start - at) + open + line.text.mid(range.start, range.length) + close;
        at = range.start + range.length;
    }
    return out + line.text.mid(at);
}
} // namespace

DiffModel::DiffModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void DiffModel::setDiff(TreeDiffPtr diff)
{
    beginResetModel();
    m_own = diff ? QSharedPointer<TreeDiff>(new TreeDiff(*diff)) : QSharedPointer<TreeDiff>();
    m_diff = m_own;
    m_ignoreWhitespace = false;
    m_seen.clear();
    m_viewed.clear();
    m_pendingSeen.clear();
    m_pendingViewed.clear();
    m_gapTexts.clear();
    m_gaps.clear();
    m_hunkKeys.clear();
    m_hunkCount = 0;
    m_additions = m_deletions = 0;
    if (m_diff) {
        m_gaps.resize(m_diff->files.size());
        m_hunkKeys.resize(m_diff->files.size());
        for (int f = 0; f < m_diff->files.size(); ++f) {
            indexFile(f);
        }
    }
    m_collapsed.clear();
    for (int f = 0; m_diff && f < m_diff->files.size(); ++f) {
        if (!generatedKind(m_diff->files.at(f).path).isEmpty()) {
            m_collapsed.insert(f);
        }
    }
    rebuild();
    countMatches();
    endResetModel();
    Q_EMIT seenChanged();
}

QString DiffModel::generatedKind(const QString &path)
{
    const QString name = path.section(u'/', -1);
    static const QStringList locks{
        QStringLiteral("package-lock.json"),
        QStringLiteral("npm-shrinkwrap.json"),
        QStringLiteral("yarn.lock"),
        QStringLiteral("pnpm-lock.yaml"),
        QStringLiteral("Cargo.lock"),
        QStringLiteral("Gemfile.lock"),
        QStringLiteral("composer.lock"),
        QStringLiteral("poetry.lock"),
        QStringLiteral("Pipfile.lock"),
        QStringLiteral("go.sum"),
        QStringLiteral("flake.lock"),
        QStringLiteral("mix.lock"),
        QStringLiteral("pubspec.lock"),
        QStringLiteral("Podfile.lock"),
        QStringLiteral("packages.lock.json"),
        QStringLiteral("gradle.lockfile"),
        QStringLiteral("uv.lock"),
        QStringLiteral("bun.lockb"),
    };
    if (locks.contains(name)) {
        return tr("Lock file");
    }
    static const QStringList minified{QStringLiteral(".min.js"),
                                      QStringLiteral(".min.css"),
                                      QStringLiteral(".js.map"),
                                      QStringLiteral(".css.map")};
    for (const QString &suffix : minified) {
        if (name.endsWith(suffix)) {
            return tr("Minified file");
        }
    }
    static const QStringList generated{QStringLiteral(".pb.go"),
                                       QStringLiteral("_pb2.py"),
                                       QStringLiteral("_pb2.pyi"),
                                       QStringLiteral(".pb.cc"),
                                       QStringLiteral(".pb.h"),
                                       QStringLiteral(".g.dart"),
                                       QStringLiteral(".freezed.dart")};
    for (const QString &suffix : generated) {
        if (name.endsWith(suffix)) {
            return tr("Generated file");
        }
    }
    if (name.contains(QStringLiteral(".generated.")) || name.contains(QStringLiteral("_generated."))) {
        return tr("Generated file");
    }
    return QString();
}

void DiffModel::setCollapsed(int file, bool collapsed)
{
    if (file < 0 || !m_diff || file >= m_diff->files.size() || collapsed == isCollapsed(file)) {
        return;
    }
    beginResetModel();
    if (collapsed) {
        m_collapsed.insert(file);
    } else {
        m_collapsed.remove(file);
    }
    rebuild();
    endResetModel();
}

void DiffModel::showGenerated(bool shown)
{
    beginResetModel();
    m_collapsed.clear();
    for (int f = 0; !shown && m_diff && f < m_diff->files.size(); ++f) {
        if (!generatedKind(m_diff->files.at(f).path).isEmpty()) {
            m_collapsed.insert(f);
        }
    }
    rebuild();
    endResetModel();
}

int DiffModel::generatedCount() const
{
    int count = 0;
    for (int f = 0; m_diff && f < m_diff->files.size(); ++f) {
        count += generatedKind(m_diff->files.at(f).path).isEmpty() ? 0 : 1;
    }
    return count;
}

void DiffModel::unloadFiles(bool ignoreWhitespace)
{
    if (!m_own) {
        return;
    }
    const QStringList seen = seenKeys();
    const QStringList viewed = viewedKeys();
    TreeDiff outline = *m_own;
    for (FileDiff &file : outline.files) {
        FileDiff bare;
        bare.path = file.path;
        bare.oldPath = file.oldPath;
        bare.change = file.change;
        bare.similarity = file.similarity;
        bare.oldMode = file.oldMode;
        bare.newMode = file.newMode;
        bare.oldId = file.oldId;
        bare.newId = file.newId;
        bare.loaded = false;
        file = bare;
    }
    outline.additions = outline.deletions = 0;
    const QSet<int> collapsed = m_collapsed;
    setDiff(TreeDiffPtr(new TreeDiff(outline)));
    m_ignoreWhitespace = ignoreWhitespace;
    m_collapsed = collapsed;
    setSeenKeys(seen);
    setViewedKeys(viewed);
    beginResetModel();
    rebuild();
    endResetModel();
}

void DiffModel::setSearch(const QString &text)
{
    m_search = text;
    countMatches();
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1));
    }
}

void DiffModel::countMatches()
{
    m_matchCount = 0;
    if (m_search.isEmpty()) {
        return;
    }
    for (int row = 0; row < m_rows.size(); ++row) {
        m_matchCount += rowMatches(row) ? 1 : 0;
    }
}

bool DiffModel::rowMatches(int row) const
{
    if (m_search.isEmpty() || row < 0 || row >= m_rows.size()) {
        return false;
    }
    const Row &r = m_rows.at(row);
    switch (r.kind) {
    case RowKind::File:
        return fileHeaderText(r.file).contains(m_search, Qt::CaseInsensitive);
    case RowKind::Line: {
        const QList<DiffLine> &lines = file(r.file).hunks.at(r.part).lines;
        return (r.left >= 0 && lines.at(r.left).text.contains(m_search, Qt::CaseInsensitive))
            || (r.right >= 0 && r.right != r.left && lines.at(r.right).text.contains(m_search, Qt::CaseInsensitive));
    }
    case RowKind::GapLine:
        return gapLineText(r).contains(m_search, Qt::CaseInsensitive);
    case RowKind::Comment:
        return commentText(r).contains(m_search, Qt::CaseInsensitive);
    default:
        return false;
    }
}

int DiffModel::findRow(int row, bool forward) const
{
    const int count = int(m_rows.size());
    if (m_search.isEmpty() || count == 0) {
        return -1;
    }
    for (int step = 1; step <= count; ++step) {
        const int candidate = ((row + (forward ? step : -step)) % count + count) % count;
        if (rowMatches(candidate)) {
            return candidate;
        }
    }
    return -1;
}

void DiffModel::indexFile(int f)
{
    const FileDiff &file = m_diff->files.at(f);
    m_hunkCount += int(file.hunks.size());
    m_additions += file.additions;
    m_deletions += file.deletions;
    QVector<QString> &keys = m_hunkKeys[f];
    keys.clear();
    QHash<QString, int> repeats;
    for (const DiffHunk &hunk : file.hunks) {
        const QString key = hunk.key.isEmpty() ? hunkContentKey(file, hunk) : hunk.key;
        const int seenBefore = repeats[key]++;
        keys.append(seenBefore == 0 ? key : key + u'#' + QString::number(seenBefore + 1));
    }
    QVector<Gap> &gaps = m_gaps[f];
    gaps.clear();
    if (file.hunks.isEmpty() || file.oldContent.isEmpty()) {
        return;
    }
    int oldAt = 1;
    int newAt = 1;
    for (const DiffHunk &hunk : file.hunks) {
        gaps.append({oldAt, newAt, std::max(0, firstOld(hunk) - oldAt), false});
        oldAt = endOld(hunk);
        newAt = endNew(hunk);
    }
    gaps.append({oldAt, newAt, std::max(0, file.oldLineCount + 1 - oldAt), false});
}

bool DiffModel::isComplete() const
{
    return m_diff && m_diff->isComplete();
}

int DiffModel::loadedCount() const
{
    return m_diff ? int(std::count_if(m_diff->files.cbegin(),
                                      m_diff->files.cend(),
                                      [](const FileDiff &file) { return file.loaded; }))
                  : 0;
}

void DiffModel::setFiles(const QList<LoadedFile> &files)
{
    if (!m_own || files.isEmpty()) {
        return;
    }
    Q_EMIT layoutAboutToBeChanged();
    // Where each kept index was: its file and its place in the file's rows.
    const QModelIndexList before = persistentIndexList();
    QVector<QPair<int, int>> places;
    places.reserve(before.size());
    for (const QModelIndex &index : before) {
        const int row = index.row();
        const int file = row < m_rows.size() ? m_rows.at(row).file : -1;
        places.append({file, file >= 0 ? row - fileRow(file) : 0});
    }
    QSet<int> changed;
    for (const LoadedFile &loaded : files) {
        if (loaded.index < 0 || loaded.index >= m_own->files.size()
            || m_own->files.at(loaded.index).path != loaded.file.path) {
            continue; // read for another outline
        }
        const FileDiff &was = m_own->files.at(loaded.index);
        m_hunkCount -= int(was.hunks.size());
        m_additions -= was.additions;
        m_deletions -= was.deletions;
        m_own->files[loaded.index] = loaded.file;
        m_gapTexts.remove(key(loaded.index, 0)); // gap texts are keyed by file and gap: drop the file's
        for (int g = 1; g <= int(loaded.file.hunks.size()); ++g) {
            m_gapTexts.remove(key(loaded.index, g));
        }
        indexFile(loaded.index);
        changed.insert(loaded.index);
    }
    m_own->additions = m_additions;
    m_own->deletions = m_deletions;
    // Marks kept for hunks and files not read yet.
    for (const int f : std::as_const(changed)) {
        for (int h = 0; h < m_hunkKeys.at(f).size(); ++h) {
            if (m_pendingSeen.remove(m_hunkKeys.at(f).at(h))) {
                m_seen.insert(key(f, h));
            }
        }
        if (m_pendingViewed.remove(fileKey(f))) {
            m_viewed.insert(f);
        }
    }
    rebuild();
    QModelIndexList after;
    after.reserve(before.size());
    for (const auto &[file, offset] : std::as_const(places)) {
        int row = -1;
        if (file >= 0) {
            const int header = fileRow(file);
            const int end = file + 1 < m_fileRows.size() ? m_fileRows.at(file + 1) : int(m_rows.size());
            row = header + (changed.contains(file) ? std::min(offset, 1) : offset);
            row = std::min(row, end - 1);
        }
        after.append(row >= 0 ? index(row) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    countMatches();
    Q_EMIT layoutChanged();
    Q_EMIT filesChanged(QList<int>(changed.cbegin(), changed.cend()));
    Q_EMIT seenChanged();
}

void DiffModel::setMode(Mode mode)
{
    if (mode == m_mode) {
        return;
    }
    beginResetModel();
    m_mode = mode;
    rebuild();
    endResetModel();
}

void DiffModel::appendGapRows(QVector<Row> &rows, int file, int gap) const
{
    if (gap >= m_gaps.at(file).size()) {
        return;
    }
    const Gap &g = m_gaps.at(file).at(gap);
    if (g.count == 0) {
        return;
    }
    if (!g.expanded) {
        rows.append({RowKind::Gap, file, gap, -1, -1});
        return;
    }
    for (int i = 0; i < g.count; ++i) {
        rows.append({RowKind::GapLine, file, gap, i, i});
    }
}

void DiffModel::appendHunkRows(QVector<Row> &rows, int file, int hunk) const
{
    rows.append({RowKind::Hunk, file, hunk, -1, -1});
    const QList<DiffLine> &lines = m_diff->files.at(file).hunks.at(hunk).lines;
    for (int i = 0; i < lines.size(); ++i) {
        const DiffLine &line = lines.at(i);
        if (m_mode == Mode::Unified || line.origin == ' ') {
            rows.append({RowKind::Line, file, hunk, line.origin == '+' ? -1 : i, line.origin == '-' ? -1 : i});
        } else if (line.origin == '-') {
            rows.append({RowKind::Line, file, hunk, i, line.pair});
        } else if (line.pair < 0) {
            rows.append({RowKind::Line, file, hunk, -1, i});
        }
    }
}

void DiffModel::rebuild()
{
    m_rows.clear();
    if (!m_diff) {
        indexRows();
        return;
    }
    for (int f = 0; f < m_diff->files.size(); ++f) {
        const FileDiff &file = m_diff->files.at(f);
        m_rows.append({RowKind::File, f, 0, -1, -1});
        if (!file.loaded || file.binary || file.tooLarge || file.hunks.isEmpty() || m_collapsed.contains(f)) {
            m_rows.append({RowKind::Notice, f, 0, -1, -1});
            continue;
        }
        for (int h = 0; h < file.hunks.size(); ++h) {
            appendGapRows(m_rows, f, h);
            appendHunkRows(m_rows, f, h);
        }
        if (!file.hunks.isEmpty()) {
            appendGapRows(m_rows, f, int(file.hunks.size()));
        }
    }
    placeComments();
    indexRows();
}

void DiffModel::placeComments()
{
    if (m_comments.isEmpty()) {
        return;
    }
    // By file path, the comments on the new side's lines, the old side's, and the whole file.
    QHash<QString, QMultiHash<int, int>> onNew;
    QHash<QString, QMultiHash<int, int>> onOld;
    QHash<QString, QList<int>> onFile;
    for (int i = 0; i < m_comments.size(); ++i) {
        const ReviewComment &c = m_comments.at(i);
        if (c.path.isEmpty()) {
            continue;
        }
        if (c.line <= 0) {
            onFile[c.path].append(i);
        } else {
            (c.side == u"old" ? onOld : onNew)[c.path].insert(c.line, i);
        }
    }
    QVector<Row> rows;
    rows.reserve(m_rows.size() + m_comments.size());
    auto append = [&](int file, const QList<int> &indices) {
        for (int i : indices) {
            rows.append({RowKind::Comment, file, i, -1, -1});
        }
    };
    auto onLine = [&](const QHash<QString, QMultiHash<int, int>> &side, const QString &path, int line) {
        QList<int> found = side.value(path).values(line);
        std::sort(found.begin(), found.end());
        return found;
    };
    for (int i = 0; i < m_rows.size(); ++i) {
        const Row &r = m_rows.at(i);
        rows.append(r);
        const QString &path = file(r.file).path;
        switch (r.kind) {
        case RowKind::File:
            append(r.file, onFile.value(path));
            break;
        case RowKind::Line: {
            const QList<DiffLine> &lines = file(r.file).hunks.at(r.part).lines;
            if (r.right >= 0) {
                append(r.file, onLine(onNew, path, lines.at(r.right).newNo));
            }
            if (r.left >= 0 && (r.right < 0 || lines.at(r.left).origin == '-')) {
                append(r.file, onLine(onOld, path, lines.at(r.left).oldNo));
            }
            break;
        }
        case RowKind::Gap:
        case RowKind::GapLine: {
            // After the gap's last row, so that expanding or collapsing it moves only its own rows.
            const Gap &g = gap(r.file, r.part);
            if (r.kind == RowKind::GapLine && r.left != g.count - 1) {
                break;
            }
            for (int line = g.newFrom; line < g.newFrom + g.count; ++line) {
                append(r.file, onLine(onNew, path, line));
            }
            for (int line = g.oldFrom; line < g.oldFrom + g.count; ++line) {
                append(r.file, onLine(onOld, path, line));
            }
            break;
        }
        default:
            break;
        }
    }
    m_rows = std::move(rows);
}

void DiffModel::setReview(const QList<HunkDecision> &decisions, const QList<ReviewComment> &comments)
{
    beginResetModel();
    m_decisions.clear();
    for (const HunkDecision &decision : decisions) {
        m_decisions.insert(decision.path + u'\n' + decision.hunkKey, decision.decision);
    }
    m_comments = comments;
    rebuild();
    endResetModel();
}

QString DiffModel::decisionOf(int file, int hunk) const
{
    if (!m_diff || file < 0 || file >= m_diff->files.size()) {
        return QString();
    }
    const QString &path = m_diff->files.at(file).path;
    if (hunk >= 0) {
        const QString own = m_decisions.value(path + u'\n' + m_diff->files.at(file).hunks.value(hunk).key);
        if (!own.isEmpty()) {
            return own;
        }
    }
    return m_decisions.value(path + u'\n');
}

QString DiffModel::commentText(const Row &row) const
{
    const ReviewComment &c = m_comments.at(row.part);
    QStringList state;
    if (c.kind == u"conflict") {
        state.append(tr("conflict"));
    }
    if (c.isResolved()) {
        state.append(tr("resolved"));
    }
    if (c.sentInRevision > 0) {
        state.append(tr("sent with revision %1").arg(c.sentInRevision));
    }
    const QString first = c.body.section(u'\n', 0, 0);
    return tr("✎ %1: %2%3")
        .arg(personName(c.author),
             first,
             state.isEmpty() ? QString() : QStringLiteral("  [%1]").arg(state.join(QStringLiteral(", "))));
}

int DiffModel::hunkOf(int row) const
{
    const int header = hunkRowOf(row);
    return header >= 0 ? m_rows.at(header).part : -1;
}

void DiffModel::indexRows()
{
    m_hunkRows.clear();
    m_fileRows.clear();
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).kind == RowKind::Hunk) {
            m_hunkRows.append(i);
        } else if (m_rows.at(i).kind == RowKind::File) {
            m_fileRows.append(i);
        }
    }
}

int DiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

Qt::ItemFlags DiffModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

QVariant DiffModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole: {
        const FileDiff &f = file(r.file);
        switch (r.kind) {
        case RowKind::File:
            return fileHeaderText(r.file);
        case RowKind::Notice:
            return noticeText(r.file);
        case RowKind::Hunk:
            return f.hunks.at(r.part).header;
        case RowKind::Gap:
            return gapText(r);
        case RowKind::GapLine:
            return gapLineText(r);
        case RowKind::Comment:
            return commentText(r);
        case RowKind::Line: {
            const QList<DiffLine> &lines = f.hunks.at(r.part).lines;
            const QString left = r.left >= 0 ? lines.at(r.left).text : QString();
            const QString right = r.right >= 0 ? lines.at(r.right).text : QString();
            if (m_mode == Mode::Unified || r.left == r.right) {
                const DiffLine &line = lines.at(r.left >= 0 ? r.left : r.right);
                return QString(QLatin1Char(line.origin) + line.text);
            }
            return tr("%1 → %2").arg(left, right);
        }
        }
        return {};
    }
    case KindRole:
        return int(r.kind);
    case FileRole:
        return r.file;
    case PartRole:
        return r.part;
    case SeenRole:
        return r.kind == RowKind::Hunk ? QVariant(isSeen(r.file, r.part)) : QVariant();
    case DecisionRole:
        return r.kind == RowKind::Hunk ? QVariant(decisionOf(r.file, r.part)) : QVariant();
    case CommentIdRole:
        return r.kind == RowKind::Comment ? QVariant(m_comments.at(r.part).id) : QVariant();
    case Qt::ToolTipRole:
        if (r.kind == RowKind::Comment) {
            const ReviewComment &c = m_comments.at(r.part);
            return tr("%1 on revision %2:\n\n%3").arg(c.author).arg(c.revision).arg(c.body);
        }
        return {};
    default:
        return {};
    }
}

QString DiffModel::gapLineText(const Row &row) const
{
    const quint64 k = key(row.file, row.part);
    auto it = m_gapTexts.find(k);
    if (it == m_gapTexts.end()) {
        const Gap &g = gap(row.file, row.part);
        it = m_gapTexts.insert(k, file(row.file).oldLines(g.oldFrom, g.count));
    }
    return row.left < it->size() ? it->at(row.left) : QString();
}

int DiffModel::oldNumber(const Row &row) const
{
    if (row.kind == RowKind::GapLine) {
        return gap(row.file, row.part).oldFrom + row.left;
    }
    if (row.kind == RowKind::Line && row.left >= 0) {
        return file(row.file).hunks.at(row.part).lines.at(row.left).oldNo;
    }
    return 0;
}

int DiffModel::newNumber(const Row &row) const
{
    if (row.kind == RowKind::GapLine) {
        return gap(row.file, row.part).newFrom + row.right;
    }
    if (row.kind == RowKind::Line && row.right >= 0) {
        return file(row.file).hunks.at(row.part).lines.at(row.right).newNo;
    }
    return 0;
}

QString DiffModel::changeText(const FileDiff &file)
{
    if (file.binary) {
        return tr("binary");
    }
    if (file.tooLarge) {
        return tr("over-size");
    }
    if (file.change == u"added") {
        return tr("added");
    }
    if (file.change == u"deleted") {
        return tr("deleted");
    }
    if (file.change == u"renamed") {
        return tr("renamed");
    }
    if (file.change == u"typechange") {
        return tr("type changed");
    }
    return file.modeChanged() ? tr("mode changed") : tr("modified");
}

QString DiffModel::fileHeaderText(int index) const
{
    const FileDiff &f = file(index);
    QString change;
    if (f.change == u"renamed") {
        change = tr("renamed from %1").arg(f.oldPath);
    } else if (f.change == u"typechange") {
        change = tr("%1 → %2").arg(modeName(f.oldMode), modeName(f.newMode));
    } else if (f.change == u"added" || f.change == u"deleted") {
        change = changeText(f);
    } else {
        change = tr("modified");
    }
    QStringList parts{f.path, change};
    if (f.change == u"renamed" && f.similarity > 0 && f.similarity < 100) {
        parts.append(tr("%1 % alike").arg(f.similarity));
    }
    if (f.loaded && !f.binary && !f.tooLarge) {
        parts.append(tr("+%1 −%2").arg(f.additions).arg(f.deletions));
    }
    if (f.modeChanged() && f.change != u"typechange") {
        parts.append(tr("mode %1 → %2").arg(QString::number(f.oldMode, 8), QString::number(f.newMode, 8)));
    } else if (f.change == u"added" && (f.newMode & 0170000) != 0100000) {
        parts.append(modeName(f.newMode));
    } else if (f.change == u"added" && (f.newMode & 0111) != 0) {
        parts.append(tr("mode %1").arg(QString::number(f.newMode, 8)));
    } else if ((f.newMode & 0170000) == 0120000 || (f.oldMode & 0170000) == 0120000) {
        parts.append(modeName(f.newMode ? f.newMode : f.oldMode));
    }
    if (f.newEndsWithoutNewline && !f.oldEndsWithoutNewline) {
        parts.append(tr("no newline at end of file"));
    }
    const int hunks = int(f.hunks.size());
    if (hunks > 0) {
        int seen = 0;
        for (int h = 0; h < hunks; ++h) {
            seen += isSeen(index, h) ? 1 : 0;
        }
        parts.append(tr("%1 of %n hunk(s) seen", nullptr, hunks).arg(seen));
    }
    if (isViewed(index)) {
        parts.append(tr("✓ viewed"));
    }
    return parts.join(QStringLiteral("  ·  "));
}

QString DiffModel::noticeText(int index) const
{
    const FileDiff &f = file(index);
    if (m_collapsed.contains(index)) {
        return tr("%1, collapsed. Enter or double-click shows it.").arg(generatedKind(f.path));
    }
    if (!f.loaded) {
        return tr("Reading…");
    }
    if (f.tooLarge) {
        return tr("Not shown: %1 → %2 is over the viewer's %3 limit per file. Check it out and open it in an "
                  "editor to review it.")
            .arg(sizeText(f.oldSize), sizeText(f.newSize), sizeText(m_diff->maxFileBytes));
    }
    if (f.binary) {
        return tr("Binary file (%1 → %2): not shown as text.").arg(sizeText(f.oldSize), sizeText(f.newSize));
    }
    if (f.change == u"typechange") {
        return tr("The type changed from %1 to %2.").arg(modeName(f.oldMode), modeName(f.newMode));
    }
    if (f.modeChanged()) {
        return tr("Only the mode changed: %1 → %2 (%3 → %4); the content is the same.")
            .arg(QString::number(f.oldMode, 8),
                 QString::number(f.newMode, 8),
                 modeName(f.oldMode),
                 modeName(f.newMode));
    }
    if (f.change == u"renamed") {
        return tr("Renamed from %1 without changes.").arg(f.oldPath);
    }
    return m_ignoreWhitespace ? tr("No changes but in whitespace.") : tr("No changes to the text.");
}

QString DiffModel::gapText(const Row &row) const
{
    const Gap &g = gap(row.file, row.part);
    return tr("⋯ %n unchanged line(s) (%1–%2); Enter or double-click shows them", nullptr, g.count)
        .arg(g.oldFrom)
        .arg(g.oldFrom + g.count - 1);
}

int DiffModel::nextHunkRow(int row) const
{
    const auto it = std::upper_bound(m_hunkRows.begin(), m_hunkRows.end(), row);
    return it == m_hunkRows.end() ? -1 : *it;
}

int DiffModel::previousHunkRow(int row) const
{
    auto it = std::lower_bound(m_hunkRows.begin(), m_hunkRows.end(), row);
    return it == m_hunkRows.begin() ? -1 : *(--it);
}

int DiffModel::nextFileRow(int row) const
{
    const auto it = std::upper_bound(m_fileRows.begin(), m_fileRows.end(), row);
    return it == m_fileRows.end() ? -1 : *it;
}

int DiffModel::previousFileRow(int row) const
{
    auto it = std::lower_bound(m_fileRows.begin(), m_fileRows.end(), row);
    return it == m_fileRows.begin() ? -1 : *(--it);
}

int DiffModel::fileRow(int file) const
{
    return file >= 0 && file < m_fileRows.size() ? m_fileRows.at(file) : -1;
}

int DiffModel::hunkRowOf(int row) const
{
    if (row < 0 || row >= m_rows.size()) {
        return -1;
    }
    const RowKind kind = m_rows.at(row).kind;
    if (kind != RowKind::Hunk && kind != RowKind::Line) {
        return -1;
    }
    auto it = std::upper_bound(m_hunkRows.begin(), m_hunkRows.end(), row);
    return it == m_hunkRows.begin() ? -1 : *(--it);
}

bool DiffModel::toggleGap(int row)
{
    if (row < 0 || row >= m_rows.size()) {
        return false;
    }
    const Row r = m_rows.at(row);
    if (r.kind == RowKind::Notice && !generatedKind(file(r.file).path).isEmpty()) {
        setCollapsed(r.file, !isCollapsed(r.file));
        return true;
    }
    if (r.kind != RowKind::Gap && r.kind != RowKind::GapLine) {
        return false;
    }
    Gap &g = m_gaps[r.file][r.part];
    const int first = row - (r.kind == RowKind::GapLine ? r.left : 0);
    QVector<Row> replacement;
    g.expanded = !g.expanded;
    appendGapRows(replacement, r.file, r.part);
    const int oldCount = r.kind == RowKind::Gap ? 1 : g.count;
    beginRemoveRows({}, first, first + oldCount - 1);
    m_rows.remove(first, oldCount);
    endRemoveRows();
    beginInsertRows({}, first, first + int(replacement.size()) - 1);
    for (int i = 0; i < replacement.size(); ++i) {
        m_rows.insert(first + i, replacement.at(i));
    }
    indexRows();
    endInsertRows();
    return true;
}

void DiffModel::expandAllGaps()
{
    beginResetModel();
    for (QVector<Gap> &gaps : m_gaps) {
        for (Gap &g : gaps) {
            g.expanded = true;
        }
    }
    rebuild();
    endResetModel();
}

bool DiffModel::isSeen(int file, int hunk) const
{
    return m_seen.contains(key(file, hunk));
}

void DiffModel::setSeen(int file, int hunk, bool seen)
{
    if (seen == isSeen(file, hunk)) {
        return;
    }
    if (seen) {
        m_seen.insert(key(file, hunk));
    } else {
        m_seen.remove(key(file, hunk));
    }
    if (const int header = fileRow(file); header >= 0) {
        Q_EMIT dataChanged(index(header), index(header));
    }
    for (int row : std::as_const(m_hunkRows)) {
        if (m_rows.at(row).file == file && m_rows.at(row).part == hunk) {
            Q_EMIT dataChanged(index(row), index(row));
            break;
        }
    }
    Q_EMIT seenChanged();
}

QString DiffModel::hunkKey(int file, int hunk) const
{
    return file >= 0 && file < m_hunkKeys.size() && hunk >= 0 && hunk < m_hunkKeys.at(file).size()
        ? m_hunkKeys.at(file).at(hunk)
        : QString();
}

QString DiffModel::fileKey(int index) const
{
    if (!m_diff || index < 0 || index >= m_diff->files.size()) {
        return QString();
    }
    const FileDiff &f = file(index);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QStringLiteral("%1\n%2\n%3\n%4 %5 %6 %7\n")
                     .arg(f.path, f.oldPath, f.change)
                     .arg(f.oldMode)
                     .arg(f.newMode)
                     .arg(f.oldSize)
                     .arg(f.newSize)
                     .toUtf8());
    for (int h = 0; h < f.hunks.size(); ++h) {
        hash.addData(hunkKey(index, h).toLatin1());
    }
    return QStringLiteral("file:") + QString::fromLatin1(hash.result().toHex().left(20));
}

bool DiffModel::isViewed(int file) const
{
    return m_viewed.contains(file);
}

void DiffModel::setViewed(int index, bool viewed)
{
    if (!m_diff || index < 0 || index >= m_diff->files.size() || viewed == isViewed(index)) {
        return;
    }
    if (viewed) {
        m_viewed.insert(index);
        for (int h = 0; h < file(index).hunks.size(); ++h) {
            setSeen(index, h, true);
        }
    } else {
        m_viewed.remove(index);
    }
    if (const int header = fileRow(index); header >= 0) {
        Q_EMIT dataChanged(this->index(header), this->index(header));
    }
    Q_EMIT seenChanged();
}

QStringList DiffModel::viewedKeys() const
{
    QStringList keys;
    for (int file : m_viewed) {
        keys.append(fileKey(file));
    }
    if (!isComplete()) {
        keys += QStringList(m_pendingViewed.cbegin(), m_pendingViewed.cend());
    }
    keys.sort();
    return keys;
}

void DiffModel::setViewedKeys(const QStringList &keys)
{
    QSet<QString> viewed(keys.cbegin(), keys.cend());
    for (int f = 0; m_diff && f < m_diff->files.size(); ++f) {
        if (file(f).loaded && viewed.remove(fileKey(f))) {
            setViewed(f, true);
        }
    }
    m_pendingViewed = isComplete() ? QSet<QString>() : viewed;
}

QStringList DiffModel::seenKeys() const
{
    QStringList keys;
    for (quint64 k : m_seen) {
        keys.append(hunkKey(int(k >> 32), int(k & 0xffffffffu)));
    }
    if (!isComplete()) {
        keys += QStringList(m_pendingSeen.cbegin(), m_pendingSeen.cend()); // for files not read yet
    }
    keys.sort();
    return keys;
}

void DiffModel::setSeenKeys(const QStringList &keys)
{
    QSet<QString> seen(keys.cbegin(), keys.cend());
    for (int f = 0; f < m_hunkKeys.size(); ++f) {
        for (int h = 0; h < m_hunkKeys.at(f).size(); ++h) {
            if (seen.remove(m_hunkKeys.at(f).at(h))) {
                setSeen(f, h, true);
            }
        }
    }
    m_pendingSeen = isComplete() ? QSet<QString>() : seen;
}

QString DiffModel::lineDump(const DiffLine *line, bool withMarks) const
{
    return line ? marked(*line, withMarks) : QString();
}

QString DiffModel::dump() const
{
    QStringList out;
    auto number = [](int n) {
        return n > 0 ? QStringLiteral("%1").arg(n, 4) : QStringLiteral("    ");
    };
    for (int i = 0; i < m_rows.size(); ++i) {
        const Row &r = m_rows.at(i);
        switch (r.kind) {
        case RowKind::File:
            out.append(QStringLiteral("== ") + fileHeaderText(r.file));
            break;
        case RowKind::Notice:
            out.append(QStringLiteral("!! ") + noticeText(r.file));
            break;
        case RowKind::Hunk:
            out.append(file(r.file).hunks.at(r.part).header);
            break;
        case RowKind::Gap:
            out.append(QStringLiteral(".. %1 unchanged").arg(gap(r.file, r.part).count));
            break;
        case RowKind::Comment:
            out.append(QStringLiteral("## ") + commentText(r));
            break;
        case RowKind::GapLine:
            out.append(QStringLiteral("%1 %2   %3").arg(number(oldNumber(r)), number(newNumber(r)), gapLineText(r)));
            break;
        case RowKind::Line: {
            const QList<DiffLine> &lines = file(r.file).hunks.at(r.part).lines;
            const DiffLine *left = r.left >= 0 ? &lines.at(r.left) : nullptr;
            const DiffLine *right = r.right >= 0 ? &lines.at(r.right) : nullptr;
            if (m_mode == Mode::Unified) {
                const DiffLine *line = left ? left : right;
                out.append(QStringLiteral("%1 %2 %3 %4")
                               .arg(number(line->oldNo),
                                    number(line->newNo),
                                    QString(QLatin1Char(line->origin)),
                                    lineDump(line, true)));
            } else {
                const QChar mark =
                    left && right && left == right ? u' ' : (left && right ? u'|' : (left ? u'<' : u'>'));
                out.append(QStringLiteral("%1 %2 %3 %4 %5")
                               .arg(number(left ? left->oldNo : 0),
                                    lineDump(left, true).leftJustified(30),
                                    QString(mark),
                                    number(right ? right->newNo : 0),
                                    lineDump(right, true))
                               .trimmed());
            }
            break;
        }
        }
    }
    return out.join(u'\n') + u'\n';
}

} // namespace astra
