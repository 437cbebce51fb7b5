#pragma once

#include "model/modification.h"

#include <QByteArray>
#include <QString>

namespace astra {

// What the mail headers of a patch say about it (`git format-patch`, an mbox, a mail saved
// from a list): its author and date from From: and Date:, its title from Subject: without the
// "[PATCH …]" prefix, and the message above the "---" line. Read by GMime, so encoded words
// (RFC 2047), folded headers and charsets come out as the sender wrote them. A plain diff has
// no headers, and everything is empty.
struct PatchMail
{
    std::optional<ChangeAuthor> author;
    QString subject;
    QString body;
};
PatchMail readPatchMail(const QByteArray &patch);

} // namespace astra
