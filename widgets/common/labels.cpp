#include "labels.h"

#include "base/sharedtext.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Labels)
};
} // namespace

QString goalStateLabel(GoalState state)
{
    switch (state) {
    case GoalState::Proposed:
        return Tr::tr("Proposed");
    case GoalState::Active:
        return Tr::tr("Active");
    case GoalState::Planned:
        return Tr::tr("Planned");
    case GoalState::Executing:
        return Tr::tr("Executing");
    case GoalState::AwaitingReview:
        return Tr::tr("Awaiting review");
    case GoalState::Completed:
        return Tr::tr("Completed");
    case GoalState::Rejected:
        return Tr::tr("Rejected");
    case GoalState::Failed:
        return Tr::tr("Failed");
    case GoalState::Abandoned:
        return Tr::tr("Abandoned");
    }
    return toString(state);
}

QString outcomeLabel(const QString &outcome)
{
    if (outcome == u"passed")
        return Tr::tr("passed");
    if (outcome == u"failed")
        return Tr::tr("failed");
    if (outcome == u"timeout")
        return Tr::tr("timed out");
    if (outcome == u"error")
        return Tr::tr("could not run");
    if (outcome == u"running")
        return Tr::tr("running");
    if (outcome == u"succeeded")
        return Tr::tr("succeeded");
    if (outcome == u"cancelled")
        return Tr::tr("cancelled");
    return outcome;
}

QString planStateLabel(const QString &state)
{
    if (state == u"proposed")
        return Tr::tr("waiting for approval");
    if (state == u"approved")
        return Tr::tr("approved");
    if (state == u"superseded")
        return Tr::tr("replaced");
    if (state == u"failed")
        return Tr::tr("failed");
    return state;
}

namespace {
// "failed_runs" -> "Failed runs".
// The evidence's field names the detectors write, in the reader's language; others as written.
QString fieldName(const QString &key)
{
    static const QHash<QString, const char *> known{
        {QStringLiteral("command"), QT_TRANSLATE_NOOP("astra::Evidence", "Command")},
        {QStringLiteral("confidence_formula"), QT_TRANSLATE_NOOP("astra::Evidence", "Confidence formula")},
        {QStringLiteral("duration_ms"), QT_TRANSLATE_NOOP("astra::Evidence", "Duration (ms)")},
        {QStringLiteral("end_column"), QT_TRANSLATE_NOOP("astra::Evidence", "End column")},
        {QStringLiteral("end_line"), QT_TRANSLATE_NOOP("astra::Evidence", "End line")},
        {QStringLiteral("excerpt"), QT_TRANSLATE_NOOP("astra::Evidence", "Excerpt")},
        {QStringLiteral("exit_code"), QT_TRANSLATE_NOOP("astra::Evidence", "Exit code")},
        {QStringLiteral("failed"), QT_TRANSLATE_NOOP("astra::Evidence", "Failed")},
        {QStringLiteral("failed_runs"), QT_TRANSLATE_NOOP("astra::Evidence", "Failed runs")},
        {QStringLiteral("failures"), QT_TRANSLATE_NOOP("astra::Evidence", "Failures")},
        {QStringLiteral("files"), QT_TRANSLATE_NOOP("astra::Evidence", "Files")},
        {QStringLiteral("findings"), QT_TRANSLATE_NOOP("astra::Evidence", "Findings")},
        {QStringLiteral("fixits"), QT_TRANSLATE_NOOP("astra::Evidence", "Fix-its")},
        {QStringLiteral("format"), QT_TRANSLATE_NOOP("astra::Evidence", "Format")},
        {QStringLiteral("has_fix"), QT_TRANSLATE_NOOP("astra::Evidence", "Has a fix")},
        {QStringLiteral("job"), QT_TRANSLATE_NOOP("astra::Evidence", "Job")},
        {QStringLiteral("length"), QT_TRANSLATE_NOOP("astra::Evidence", "Length")},
        {QStringLiteral("line"), QT_TRANSLATE_NOOP("astra::Evidence", "Line")},
        {QStringLiteral("locations"), QT_TRANSLATE_NOOP("astra::Evidence", "Locations")},
        {QStringLiteral("message"), QT_TRANSLATE_NOOP("astra::Evidence", "Message")},
        {QStringLiteral("name"), QT_TRANSLATE_NOOP("astra::Evidence", "Name")},
        {QStringLiteral("offset"), QT_TRANSLATE_NOOP("astra::Evidence", "Offset")},
        {QStringLiteral("outcome"), QT_TRANSLATE_NOOP("astra::Evidence", "Outcome")},
        {QStringLiteral("passed"), QT_TRANSLATE_NOOP("astra::Evidence", "Passed")},
        {QStringLiteral("path"), QT_TRANSLATE_NOOP("astra::Evidence", "Path")},
        {QStringLiteral("rule"), QT_TRANSLATE_NOOP("astra::Evidence", "Rule")},
        {QStringLiteral("run"), QT_TRANSLATE_NOOP("astra::Evidence", "Run")},
        {QStringLiteral("runs_in_window"), QT_TRANSLATE_NOOP("astra::Evidence", "Runs in the window")},
        {QStringLiteral("signature"), QT_TRANSLATE_NOOP("astra::Evidence", "Signature")},
        {QStringLiteral("start_column"), QT_TRANSLATE_NOOP("astra::Evidence", "Start column")},
        {QStringLiteral("start_line"), QT_TRANSLATE_NOOP("astra::Evidence", "Start line")},
        {QStringLiteral("started_at"), QT_TRANSLATE_NOOP("astra::Evidence", "Started at")},
        {QStringLiteral("streak"), QT_TRANSLATE_NOOP("astra::Evidence", "Streak")},
        {QStringLiteral("text"), QT_TRANSLATE_NOOP("astra::Evidence", "Text")},
        {QStringLiteral("threshold"), QT_TRANSLATE_NOOP("astra::Evidence", "Threshold")},
        {QStringLiteral("tool"), QT_TRANSLATE_NOOP("astra::Evidence", "Tool")},
        {QStringLiteral("window_s"), QT_TRANSLATE_NOOP("astra::Evidence", "Window (s)")},
        {QStringLiteral("report"), QT_TRANSLATE_NOOP("astra::Evidence", "Report")},
        {QStringLiteral("reports"), QT_TRANSLATE_NOOP("astra::Evidence", "Reports")},
        {QStringLiteral("tests"), QT_TRANSLATE_NOOP("astra::Evidence", "Tests")},
        {QStringLiteral("test_results"), QT_TRANSLATE_NOOP("astra::Evidence", "Test results")},
    };
    if (const char *english = known.value(key)) {
        return QCoreApplication::translate("astra::Evidence", english);
    }
    QString name = key;
    name.replace(u'_', u' ');
    if (!name.isEmpty()) {
        name[0] = name.at(0).toUpper();
    }
    return name;
}

QString valueText(const QJsonValue &value, int cut)
{
    QString text;
    switch (value.type()) {
    case QJsonValue::String:
        text = value.toString();
        break;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        text = number == double(qint64(number)) ? QString::number(qint64(number)) : QString::number(number);
        break;
    }
    case QJsonValue::Bool:
        text = value.toBool() ? Tr::tr("yes") : Tr::tr("no");
        break;
    case QJsonValue::Array:
    case QJsonValue::Object:
        text = QString::fromUtf8(QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact));
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    text = text.simplified();
    if (text.size() > cut) {
        text = text.left(cut) + QStringLiteral("…");
    }
    return text.toHtmlEscaped();
}

// An object on one line: "Run 2 · Outcome timeout · Excerpt …".
QString objectLine(const QJsonObject &object)
{
    QStringList parts;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString text = valueText(it.value(), 160);
        if (!text.isEmpty()) {
            parts.append(QStringLiteral("%1 <i>%2</i>").arg(fieldName(it.key()).toHtmlEscaped(), text));
        }
    }
    return parts.join(QStringLiteral(" · "));
}
} // namespace

QString evidenceHtml(const QJsonObject &evidence)
{
    QString html = QStringLiteral("<table cellspacing=\"2\">");
    for (auto it = evidence.constBegin(); it != evidence.constEnd(); ++it) {
        if (it.key() == u"title_message") {
            continue; // the title, shown above
        }
        QString value;
        if (it.value().isArray()) {
            const QJsonArray array = it.value().toArray();
            QStringList items;
            bool objects = false;
            for (const QJsonValue &item : array) {
                objects = objects || item.isObject();
                items.append(item.isObject() ? objectLine(item.toObject()) : valueText(item, 200));
            }
            value = objects ? QStringLiteral("<ul style=\"margin:0; -qt-list-indent: 1\"><li>%1</li></ul>")
                                  .arg(items.join(QStringLiteral("</li><li>")))
                            : items.join(QStringLiteral(", "));
        } else if (it.value().isObject()) {
            value = objectLine(it.value().toObject());
        } else {
            value = valueText(it.value(), 400);
        }
        html += QStringLiteral("<tr><td valign=\"top\"><b>%1</b></td><td>%2</td></tr>")
                    .arg(fieldName(it.key()).toHtmlEscaped(), value);
    }
    return html + QStringLiteral("</table>");
}

QString goalTitle(const Goal &goal)
{
    return sharedReason(goal.title, goal.evidence.value(QStringLiteral("title_message")).toObject());
}

QString sharedReason(const QString &stored, const QJsonObject &message)
{
    if (!message.isEmpty()) {
        return localized(message, stored);
    }
    QJsonObject own;
    own.insert(QStringLiteral("source"), stored);
    return localized(own, stored);
}

QString personName(const QString &actor)
{
    const qsizetype open = actor.indexOf(QStringLiteral(" ("));
    const qsizetype angle = actor.lastIndexOf(QStringLiteral(" <"));
    if (open > 0 && angle > open + 2 && actor.endsWith(QStringLiteral(">)"))) {
        return actor.mid(open + 2, angle - open - 2);
    }
    return actor;
}

} // namespace astra
