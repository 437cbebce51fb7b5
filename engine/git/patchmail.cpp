#include "git/patchmail.h"

#include <QRegularExpression>

#include <gmime/gmime.h>
#include <memory>
#include <mutex>

namespace astra {

namespace {

struct ObjectUnref
{
    void operator()(gpointer object) const
    {
        if (object) {
            g_object_unref(object);
        }
    }
};
template<typename T>
using GObjectPtr = std::unique_ptr<T, ObjectUnref>;

// A patch starts with mail headers when its first line is an mbox separator or a header that
// git format-patch and mailers write first.
bool hasMailHeaders(const QByteArray &patch)
{
    static const QRegularExpression header(QStringLiteral("^(From |From:|Date:|Subject:|Message-I[Dd]:|Return-Path:)"));
    const qsizetype end = patch.indexOf('\n');
    return header.match(QString::fromUtf8(patch.left(end < 0 ? patch.size() : end))).hasMatch();
}

QString withoutPatchPrefix(QString subject)
{
    // git am's rule: leading "[...]" groups and "Re:" go; the rest is the title.
    static const QRegularExpression prefix(QStringLiteral(R"(^\s*(\[[^\]]*\]\s*|[Rr][Ee]:\s*)+)"));
    return subject.remove(prefix).simplified();
}

} // namespace

PatchMail readPatchMail(const QByteArray &patch)
{
    PatchMail mail;
    if (!hasMailHeaders(patch)) {
        return mail;
    }
    static std::once_flag initialised;
    std::call_once(initialised, [] { g_mime_init(); });

    GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(patch.constData(), size_t(patch.size())));
    GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), patch.startsWith("From ") ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) {
        return mail;
    }
    if (InternetAddressList *from = g_mime_message_get_from(message.get());
        from && internet_address_list_length(from) > 0) {
        InternetAddress *address = internet_address_list_get_address(from, 0);
        if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            ChangeAuthor author;
            author.name = QString::fromUtf8(internet_address_get_name(address)).trimmed();
            author.email = QString::fromUtf8(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
            if (author.name.isEmpty()) {
                author.name = author.email.section(u'@', 0, 0);
            }
            if (GDateTime *date = g_mime_message_get_date(message.get())) {
                author.time = g_date_time_to_unix(date);
                author.offsetMinutes = int(g_date_time_get_utc_offset(date) / G_TIME_SPAN_MINUTE);
            }
            if (!author.email.isEmpty()) {
                mail.author = author;
            }
        }
    }
    mail.subject = withoutPatchPrefix(QString::fromUtf8(g_mime_message_get_subject(message.get())));
    if (GMimeObject *part = g_mime_message_get_mime_part(message.get()); part && GMIME_IS_TEXT_PART(part)) {
        char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
        QString body = QString::fromUtf8(text);
        g_free(text);
        // The message ends where the diffstat or the diff begins.
        static const QRegularExpression end(QStringLiteral(R"(^(---\s*$|diff --git |Index: |--- ))"),
                                            QRegularExpression::MultilineOption);
        if (const QRegularExpressionMatch match = end.match(body); match.hasMatch()) {
            body.truncate(match.capturedStart());
        }
        mail.body = body.trimmed();
    }
    return mail;
}

} // namespace astra
