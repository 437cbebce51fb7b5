#include "model/treediff.h"

#include <QCryptographicHash>

namespace astra {

QString hunkContentKey(const FileDiff &file, const DiffHunk &hunk)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(file.path.toUtf8());
    hash.addData(QByteArray(1, '\0'));
    for (const DiffLine &line : hunk.lines) {
        if (line.origin == '-' || line.origin == '+') {
            hash.addData(QByteArray(1, line.origin));
            hash.addData(line.text.toUtf8());
            hash.addData(QByteArray(1, '\n'));
        }
    }
    return QString::fromLatin1(hash.result().toHex().left(20));
}

QString hunkText(const DiffHunk &hunk)
{
    QString text = hunk.header + u'\n';
    for (const DiffLine &line : hunk.lines) {
        text += QChar::fromLatin1(line.origin) + line.text + u'\n';
    }
    return text;
}

std::optional<int> followLine(const FileDiff &file, int oldLine)
{
    int offset = 0;
    for (const DiffHunk &hunk : file.hunks) {
        // A hunk that removes nothing adds its lines after line oldStart.
        const int firstOld = hunk.oldLines == 0 ? hunk.oldStart + 1 : hunk.oldStart;
        if (oldLine < firstOld) {
            break;
        }
        if (oldLine < hunk.oldStart + hunk.oldLines) {
            for (const DiffLine &line : hunk.lines) {
                if (line.oldNo == oldLine) {
                    return line.origin == ' ' ? std::optional<int>(line.newNo) : std::nullopt;
                }
            }
            return std::nullopt;
        }
        offset += hunk.newLines - hunk.oldLines;
    }
    return oldLine + offset;
}

QStringList FileDiff::oldLines(int from, int count) const
{
    QStringList lines;
    int line = 1;
    qsizetype position = 0;
    while (line < from && position < oldContent.size()) {
        const qsizetype next = oldContent.indexOf('\n', position);
        position = next < 0 ? oldContent.size() : next + 1;
        ++line;
    }
    while (lines.size() < count && position < oldContent.size()) {
        qsizetype next = oldContent.indexOf('\n', position);
        if (next < 0) {
            next = oldContent.size();
        }
        qsizetype end = next;
        if (end > position && oldContent.at(end - 1) == '\r') {
            --end;
        }
        lines.append(QString::fromUtf8(oldContent.constData() + position, end - position));
        position = next + 1;
    }
    return lines;
}

} // namespace astra
