#include "shortcuts.h"

#include <QAction>
#include <QCoreApplication>
#include <QSettings>
#include <QTabWidget>
#include <QWidget>

namespace astra::Shortcuts {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::ShortcutsDialog)
};

constexpr const char *defaultProperty = "astraDefaultShortcut";

QString settingKey(const QAction *action)
{
    return QStringLiteral("shortcuts/") + action->objectName();
}

QString plainText(const QAction *action)
{
    QString text = action->text().remove(u'&');
    text.remove(QStringLiteral("…"));
    return text;
}

void setKeys(QAction *action, const QKeySequence &keys)
{
    action->setShortcut(keys);
    // Buttons that show the action name its keys.
    action->setToolTip(keys.isEmpty()
                           ? plainText(action)
                           : Tr::tr("%1 (%2)").arg(plainText(action), keys.toString(QKeySequence::NativeText)));
}
} // namespace

QList<QAction *> actions(QWidget *window)
{
    QList<QAction *> result;
    const QList<QAction *> all = window->findChildren<QAction *>();
    for (QAction *action : all) {
        if (!action->objectName().isEmpty() && action->property(defaultProperty).isValid()
            && !result.contains(action)) {
            result.append(action);
        }
    }
    return result;
}

QString whereOf(const QAction *action, QWidget *window)
{
    QObject *owner = action->parent();
    auto *tabs = window->findChild<QTabWidget *>(QStringLiteral("views"));
    while (owner && owner != window) {
        if (tabs && owner->isWidgetType()) {
            const int index = tabs->indexOf(static_cast<QWidget *>(owner));
            if (index >= 0) {
                return tabs->tabText(index).remove(u'&');
            }
        }
        owner = owner->parent();
    }
    return Tr::tr("Everywhere");
}

QAction *conflictWith(QWidget *window, const QAction *action, const QKeySequence &keys)
{
    const QString everywhere = Tr::tr("Everywhere");
    const QString where = whereOf(action, window);
    const QList<QAction *> all = window->findChildren<QAction *>();
    for (QAction *other : all) {
        if (other == action || !other->shortcuts().contains(keys)) {
            continue;
        }
        const QString otherWhere = whereOf(other, window);
        if (otherWhere == where || otherWhere == everywhere || where == everywhere) {
            return other;
        }
    }
    return nullptr;
}

QStringList applySaved(QWidget *window)
{
    QSettings settings;
    const QList<QAction *> all = window->findChildren<QAction *>();
    QList<QAction *> changed;
    for (QAction *action : all) {
        if (action->objectName().isEmpty() || action->shortcut().isEmpty()
            || action->property(defaultProperty).isValid()) {
            continue;
        }
        action->setProperty(defaultProperty, action->shortcut().toString(QKeySequence::PortableText));
        const QVariant saved = settings.value(settingKey(action));
        if (saved.isValid()) {
            setKeys(action, QKeySequence(saved.toString(), QKeySequence::PortableText));
            changed.append(action);
        } else {
            setKeys(action, action->shortcut());
        }
    }
    // Two actions in one view with the same keys would both stop working (Qt calls the keys
    // ambiguous). A person's own choice wins over a default (a later version may bring a default
    // they already chose for something else), and of two saved choices (settings edited by hand)
    // the first stays.
    QStringList notes;
    for (QAction *action : std::as_const(changed)) {
        if (action->shortcut().isEmpty()) {
            continue;
        }
        QAction *other = conflictWith(window, action, action->shortcut());
        if (!other) {
            continue;
        }
        QAction *loser = changed.contains(other) ? action : other;
        const QKeySequence keys = loser->shortcut();
        setKeys(loser, QKeySequence());
        if (loser == action) {
            settings.remove(settingKey(action));
        }
        notes.append(Tr::tr("%1 and %2 had the same keys (%3): %1 has none now. Help → Keyboard shortcuts assigns "
                            "it others.")
                         .arg(plainText(loser), plainText(loser == action ? other : action))
                         .arg(keys.toString(QKeySequence::NativeText)));
    }
    return notes;
}

QKeySequence defaultOf(const QAction *action)
{
    return QKeySequence(action->property(defaultProperty).toString(), QKeySequence::PortableText);
}

QString change(QWidget *window, QAction *action, const QKeySequence &keys)
{
    if (QAction *other = keys.isEmpty() ? nullptr : conflictWith(window, action, keys)) {
        return Tr::tr("%1 (%2)").arg(plainText(other), whereOf(other, window));
    }
    setKeys(action, keys);
    QSettings settings;
    if (keys == defaultOf(action)) {
        settings.remove(settingKey(action));
    } else {
        settings.setValue(settingKey(action), keys.toString(QKeySequence::PortableText));
    }
    return QString();
}

QString reset(QWidget *window, QAction *action)
{
    return change(window, action, defaultOf(action));
}

} // namespace astra::Shortcuts
