#include "model/statemachine.h"

#include <QCoreApplication>

namespace astra {

QString legalStatesText(const QString &from, const QStringList &legal)
{
    return legal.isEmpty() ? QCoreApplication::translate("astra::StateMachine", "none: '%1' is final").arg(from)
                           : legal.join(QStringLiteral(", "));
}

} // namespace astra
