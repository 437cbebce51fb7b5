#include "model/treediff.h"

namespace astra {

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
