#pragma once

#include <QKeySequence>
#include <QList>
#include <QString>
#include <QStringList>

class QAction;
class QWidget;

namespace astra {

// Keyboard shortcuts a person can change: every action under the main window that has an
// object name and a default shortcut. A changed one is kept in the settings under
// "shortcuts/<object name>" (portable text; empty: no shortcut) and applied at start.
namespace Shortcuts {

// The configurable actions under `window`, each once.
QList<QAction *> actions(QWidget *window);
// The view an action belongs to (a tab of the window's "views"), or "Everywhere".
QString whereOf(const QAction *action, QWidget *window);
// Remembers each action's default and applies the saved shortcuts; call once the window and
// its views exist. Keys that two actions of one view would share go to neither of them twice:
// the one that keeps them is said in the notes returned (empty: none).
QStringList applySaved(QWidget *window);
// The action in `action`'s view (or one that works everywhere) that already has `keys`.
QAction *conflictWith(QWidget *window, const QAction *action, const QKeySequence &keys);
// Gives `action` the keys and saves them, unless another action in the same view (or one that
// works everywhere) has them: then nothing changes and that action's name is returned.
QString change(QWidget *window, QAction *action, const QKeySequence &keys);
// Back to the default, unless that conflicts (as change()).
QString reset(QWidget *window, QAction *action);
QKeySequence defaultOf(const QAction *action);

} // namespace Shortcuts
} // namespace astra
