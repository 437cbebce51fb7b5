#pragma once

#include "base/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace astra {

// "none: 'rejected' is final", or the legal next states joined by commas.
QString legalStatesText(const QString &from, const QStringList &legal);

// Refuses a move that `legal` does not allow. `refusal` is the whole sentence with the
// aggregate's id filled in and %2 (from), %3 (to) and %4 (the legal next states) left open:
// "Plan 4 is '%2' and cannot move to '%3'. Legal next states from '%2': %4."
template<typename State>
Status checkTransition(const QString &refusal, State from, State to, const QList<State> &legal)
{
    if (legal.contains(to)) {
        return {};
    }
    QStringList names;
    for (State state : legal) {
        names.append(toString(state));
    }
    return makeError(refusal.arg(toString(from), toString(to), legalStatesText(toString(from), names)),
                     ErrorKind::Refused);
}

} // namespace astra
