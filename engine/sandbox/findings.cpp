#include "sandbox/findings.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <yaml-cpp/yaml.h>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Findings)
};

QString uriPath(const QString &uri)
{
    QString path = uri;
    if (path.startsWith(QStringLiteral("file://"))) {
        path = path.mid(7);
    }
    return QString::fromUtf8(QByteArray::fromPercentEncoding(path.toUtf8()));
}

// Byte offset of a 1-based line and column in `content`; columns count UTF-16 code units or
// code points. -1 when outside the content.
qint64 byteOffsetOf(const QByteArray &content, int line, int column, bool utf16)
{
    if (line < 1 || column < 1) {
        return -1;
    }
    qint64 offset = 0;
    for (int current = 1; current < line; ++current) {
        const qint64 newline = content.indexOf('\n', offset);
        if (newline < 0) {
            return -1;
        }
        offset = newline + 1;
    }
    qint64 lineEnd = content.indexOf('\n', offset);
    if (lineEnd < 0) {
        lineEnd = content.size();
    }
    const QString text = QString::fromUtf8(content.mid(offset, lineEnd - offset));
    int units = 0; // code units or points consumed
    int index = 0;
    while (units < column - 1) {
        if (index >= text.size()) {
            return -1; // past the end of the line (the column just after its last character is fine)
        }
        const bool pair = text.at(index).isHighSurrogate() && index + 1 < text.size();
        const int width = pair ? 2 : 1;
        units += utf16 ? width : 1;
        index += width;
    }
    return offset + text.left(index).toUtf8().size();
}
} // namespace

QString
repositoryFile(const QString &written, const std::function<bool(const QString &)> &exists, bool suffixesOfRelative)
{
    QString path = QString(written).replace(u'\\', u'/');
    while (path.startsWith(QStringLiteral("./"))) {
        path = path.mid(2);
    }
    const bool trySuffixes = path.startsWith(u'/') || suffixesOfRelative;
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    for (int first = 0; first < parts.size(); ++first) {
        const QString suffix = parts.mid(first).join(u'/');
        if (!parts.mid(first).contains(QStringLiteral("..")) && !parts.mid(first).contains(QStringLiteral("."))
            && exists(suffix)) {
            return suffix;
        }
        if (!trySuffixes) {
            break;
        }
    }
    return {};
}

QJsonObject Replacement::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("path"), path);
    if (byOffset) {
        object.insert(QStringLiteral("offset"), double(offset));
        object.insert(QStringLiteral("length"), double(length));
    } else {
        object.insert(QStringLiteral("start_line"), startLine);
        object.insert(QStringLiteral("start_column"), startColumn);
        object.insert(QStringLiteral("end_line"), endLine);
        object.insert(QStringLiteral("end_column"), endColumn);
        object.insert(QStringLiteral("utf16_columns"), utf16Columns);
    }
    object.insert(QStringLiteral("text"), text);
    return object;
}

Replacement Replacement::fromJson(const QJsonObject &object)
{
    Replacement replacement;
    replacement.path = object.value(QStringLiteral("path")).toString();
    replacement.byOffset = object.contains(QStringLiteral("offset"));
    replacement.offset = qint64(object.value(QStringLiteral("offset")).toDouble());
    replacement.length = qint64(object.value(QStringLiteral("length")).toDouble());
    replacement.startLine = object.value(QStringLiteral("start_line")).toInt();
    replacement.startColumn = object.value(QStringLiteral("start_column")).toInt();
    replacement.endLine = object.value(QStringLiteral("end_line")).toInt();
    replacement.endColumn = object.value(QStringLiteral("end_column")).toInt();
    replacement.utf16Columns = object.value(QStringLiteral("utf16_columns")).toBool(true);
    replacement.text = object.value(QStringLiteral("text")).toString();
    return replacement;
}

Result<QList<Finding>> parseSarif(const QByteArray &text, const QString &file)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return makeError(Tr::tr("%1 is not SARIF: %2 at offset %3.").arg(file, error.errorString()).arg(error.offset),
                         ErrorKind::Invalid);
    }
    const QJsonObject root = document.object();
    if (root.value(QStringLiteral("version")).toString() != u"2.1.0") {
        return makeError(Tr::tr("%1 is SARIF version '%2'; Astra Review reads SARIF 2.1.0.")
                             .arg(file, root.value(QStringLiteral("version")).toString()),
                         ErrorKind::Invalid);
    }
    QList<Finding> findings;
    for (const QJsonValue &runValue : root.value(QStringLiteral("runs")).toArray()) {
        const QJsonObject run = runValue.toObject();
        const QString tool = run.value(QStringLiteral("tool"))
                                 .toObject()
                                 .value(QStringLiteral("driver"))
                                 .toObject()
                                 .value(QStringLiteral("name"))
                                 .toString();
        const bool utf16 = run.value(QStringLiteral("columnKind")).toString() != u"unicodeCodePoints";
        for (const QJsonValue &resultValue : run.value(QStringLiteral("results")).toArray()) {
            const QJsonObject result = resultValue.toObject();
            Finding finding;
            finding.tool = tool;
            finding.ruleId = result.value(QStringLiteral("ruleId")).toString();
            finding.message =
                result.value(QStringLiteral("message")).toObject().value(QStringLiteral("text")).toString();
            const QJsonObject physical = result.value(QStringLiteral("locations"))
                                             .toArray()
                                             .first()
                                             .toObject()
                                             .value(QStringLiteral("physicalLocation"))
                                             .toObject();
            finding.path = uriPath(
                physical.value(QStringLiteral("artifactLocation")).toObject().value(QStringLiteral("uri")).toString());
            const QJsonObject region = physical.value(QStringLiteral("region")).toObject();
            finding.line = region.value(QStringLiteral("startLine")).toInt();
            finding.column = region.value(QStringLiteral("startColumn")).toInt(1);
            const QJsonObject fix = result.value(QStringLiteral("fixes")).toArray().first().toObject();
            for (const QJsonValue &changeValue : fix.value(QStringLiteral("artifactChanges")).toArray()) {
                const QJsonObject change = changeValue.toObject();
                const QString path = uriPath(change.value(QStringLiteral("artifactLocation"))
                                                 .toObject()
                                                 .value(QStringLiteral("uri"))
                                                 .toString());
                for (const QJsonValue &replacementValue : change.value(QStringLiteral("replacements")).toArray()) {
                    const QJsonObject replacementObject = replacementValue.toObject();
                    const QJsonObject deleted = replacementObject.value(QStringLiteral("deletedRegion")).toObject();
                    Replacement replacement;
                    replacement.path = path;
                    replacement.text = replacementObject.value(QStringLiteral("insertedContent"))
                                           .toObject()
                                           .value(QStringLiteral("text"))
                                           .toString();
                    if (deleted.contains(QStringLiteral("byteOffset"))) {
                        replacement.byOffset = true;
                        replacement.offset = qint64(deleted.value(QStringLiteral("byteOffset")).toDouble());
                        replacement.length = qint64(deleted.value(QStringLiteral("byteLength")).toDouble());
                    } else if (deleted.contains(QStringLiteral("startLine"))) {
                        replacement.startLine = deleted.value(QStringLiteral("startLine")).toInt();
                        replacement.startColumn = deleted.value(QStringLiteral("startColumn")).toInt(1);
                        replacement.endLine = deleted.value(QStringLiteral("endLine")).toInt(replacement.startLine);
                        replacement.endColumn =
                            deleted.value(QStringLiteral("endColumn")).toInt(replacement.startColumn);
                        replacement.utf16Columns = utf16;
                    } else {
                        return makeError(Tr::tr("%1: a fix of %2 at %3:%4 gives its region by character offset, which "
                                                "Astra Review does not apply; use lines and columns or byte offsets.")
                                             .arg(file, finding.ruleId, finding.path)
                                             .arg(finding.line),
                                         ErrorKind::Invalid);
                    }
                    finding.fixes.append(replacement);
                }
            }
            findings.append(finding);
        }
    }
    return findings;
}

Result<QList<Finding>> parseClangTidyFixes(const QByteArray &text, const QString &file)
{
    QList<Finding> findings;
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        const YAML::Node diagnostics = root["Diagnostics"];
        if (!diagnostics || !diagnostics.IsSequence()) {
            return makeError(Tr::tr("%1 has no Diagnostics list; is it a clang-tidy --export-fixes file?").arg(file),
                             ErrorKind::Invalid);
        }
        for (const YAML::Node &diagnostic : diagnostics) {
            Finding finding;
            finding.tool = QStringLiteral("clang-tidy");
            finding.ruleId = QString::fromStdString(diagnostic["DiagnosticName"].as<std::string>(""));
            const YAML::Node message = diagnostic["DiagnosticMessage"] ? diagnostic["DiagnosticMessage"] : diagnostic;
            finding.message = QString::fromStdString(message["Message"].as<std::string>(""));
            finding.path = QString::fromStdString(message["FilePath"].as<std::string>(""));
            finding.fileOffset = message["FileOffset"].as<qint64>(0); // the detector turns it into a line
            for (const YAML::Node &replacementNode : message["Replacements"]) {
                Replacement replacement;
                replacement.path = QString::fromStdString(replacementNode["FilePath"].as<std::string>(""));
                replacement.byOffset = true;
                replacement.offset = replacementNode["Offset"].as<qint64>(0);
                replacement.length = replacementNode["Length"].as<qint64>(0);
                replacement.text = QString::fromStdString(replacementNode["ReplacementText"].as<std::string>(""));
                finding.fixes.append(replacement);
            }
            findings.append(finding);
        }
    } catch (const YAML::Exception &exception) {
        return makeError(Tr::tr("%1 is not valid YAML: %2").arg(file, QString::fromStdString(exception.what())),
                         ErrorKind::Invalid);
    }
    return findings;
}

Result<QByteArray> applyReplacements(const QByteArray &content, QList<Replacement> replacements, const QString &path)
{
    struct Span
    {
        qint64 start;
        qint64 end;
        QByteArray text;
        int index;
    };
    QList<Span> spans;
    for (int i = 0; i < replacements.size(); ++i) {
        const Replacement &replacement = replacements.at(i);
        qint64 start = replacement.offset;
        qint64 end = replacement.offset + replacement.length;
        if (!replacement.byOffset) {
            start = byteOffsetOf(content, replacement.startLine, replacement.startColumn, replacement.utf16Columns);
            end = byteOffsetOf(content, replacement.endLine, replacement.endColumn, replacement.utf16Columns);
        }
        if (start < 0 || end < start || end > content.size()) {
            return makeError(Tr::tr("A fix-it for %1 points outside the file (replacement %2); the file changed since "
                                    "the analyzer ran. Run the analyzer again.")
                                 .arg(path)
                                 .arg(i + 1),
                             ErrorKind::Invalid);
        }
        spans.append(Span{start, end, replacement.text.toUtf8(), i});
    }
    std::stable_sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.start < b.start; });
    for (int i = 1; i < spans.size(); ++i) {
        const Span &previous = spans.at(i - 1);
        const Span &current = spans.at(i);
        if (current.start < previous.end
            || (current.start == previous.start && current.start == current.end && previous.start == previous.end)) {
            return makeError(Tr::tr("Two fix-its for %1 overlap (replacements %2 and %3, bytes %4-%5 and %6-%7); "
                                    "nothing was applied. Apply one of them by hand.")
                                 .arg(path)
                                 .arg(previous.index + 1)
                                 .arg(current.index + 1)
                                 .arg(previous.start)
                                 .arg(previous.end)
                                 .arg(current.start)
                                 .arg(current.end),
                             ErrorKind::Invalid);
        }
    }
    QByteArray out;
    qint64 position = 0;
    for (const Span &span : std::as_const(spans)) {
        out += content.mid(position, span.start - position);
        out += span.text;
        position = span.end;
    }
    out += content.mid(position);
    return out;
}

} // namespace astra
