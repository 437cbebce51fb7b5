#pragma once

#include "base/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

namespace astra {

// One text replacement of a fix-it. clang-tidy gives byte offsets; SARIF gives a region by
// line and column (1-based; columns in UTF-16 code units unless the run says
// "unicodeCodePoints"), or by character or byte offset.
struct Replacement
{
    QString path; // as the tool wrote it; mapped to a repository path by the detector
    bool byOffset = false;
    qint64 offset = 0; // bytes
    qint64 length = 0; // bytes
    int startLine = 0;
    int startColumn = 0;
    int endLine = 0;
    int endColumn = 0;
    bool utf16Columns = true;
    QString text;

    QJsonObject toJson() const;
    static Replacement fromJson(const QJsonObject &object);
};

struct Finding
{
    QString tool;
    QString ruleId;
    QString message;
    QString path;
    int line = 0; // 1-based; 0 when the tool gave a byte offset only
    int column = 0;
    qint64 fileOffset = -1; // clang-tidy: the byte offset of the diagnostic
    QList<Replacement> fixes; // the first fix the tool offers, as its replacements
};

// The repository file a tool's or a log's path names, as `exists` knows them: the path as
// written ("./" dropped, "\\" as "/"), else, for an absolute path (from the folder the job ran
// in) or when `suffixesOfRelative`, its longest suffix that exists. Empty when none does.
QString
repositoryFile(const QString &written, const std::function<bool(const QString &)> &exists, bool suffixesOfRelative);

// SARIF 2.1.0: every result of every run, with its first fix's replacements.
Result<QList<Finding>> parseSarif(const QByteArray &text, const QString &file);
// clang-tidy --export-fixes YAML (yaml-cpp): every diagnostic with its replacements.
Result<QList<Finding>> parseClangTidyFixes(const QByteArray &text, const QString &file);

// Applies replacements to one file's content, exactly: positions are converted to byte
// offsets on the original content, overlapping replacements are refused (naming both), and a
// position outside the file is refused.
Result<QByteArray> applyReplacements(const QByteArray &content, QList<Replacement> replacements, const QString &path);

} // namespace astra
