#pragma once

#include <QString>

#include <functional>

class QWidget;

namespace astra {

// Asks why (rejecting, abandoning, rolling back): a window-modal text prompt named
// `objectName` whose OK stays disabled until a reason is typed, since the engine refuses the
// decision without one. `done` gets the trimmed reason when the person confirms.
void askForReason(QWidget *parent,
                  const QString &objectName,
                  const QString &title,
                  const QString &label,
                  std::function<void(const QString &)> done);

} // namespace astra
