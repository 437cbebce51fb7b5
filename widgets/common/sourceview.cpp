#include "sourceview.h"

#include <QFontDatabase>
#include <QTextBlock>

#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

namespace astra {

struct SourceView::Private
{
#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
    std::unique_ptr<KSyntaxHighlighting::Repository> repository; // read on first use
    KSyntaxHighlighting::SyntaxHighlighter *highlighter = nullptr;
#endif
    QString language;
};

SourceView::SourceView(QWidget *parent)
    : QPlainTextEdit(parent)
    , d(std::make_unique<Private>())
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
}

SourceView::~SourceView()
{
#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
    delete d->highlighter; // before the repository its definition comes from
#endif
}

QString SourceView::language() const
{
    return d->language;
}

void SourceView::setSource(const QString &fileName, const QString &text, int line, const QString &language)
{
    setPlainText(text);
    d->language.clear();
#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
    namespace KSH = KSyntaxHighlighting;
    if (!d->repository) {
        d->repository = std::make_unique<KSH::Repository>();
        d->highlighter = new KSH::SyntaxHighlighter(document());
    }
    const KSH::Definition definition = language.isEmpty() ? d->repository->definitionForFileName(fileName)
                                                          : d->repository->definitionForName(language);
    d->highlighter->setTheme(d->repository->themeForPalette(palette()));
    d->highlighter->setDefinition(definition);
    if (definition.isValid()) {
        d->language = definition.name();
    }
#else
    Q_UNUSED(fileName)
    Q_UNUSED(language)
#endif
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    if (line <= 0 || !block.isValid()) {
        setExtraSelections({});
        moveCursor(QTextCursor::Start);
        return;
    }
    QTextEdit::ExtraSelection mark;
    mark.cursor = QTextCursor(block);
    mark.format.setBackground(QColor(0xff, 0xf3, 0xb0));
    mark.format.setForeground(QColor(0x1a, 0x1a, 0x1a));
    mark.format.setProperty(QTextFormat::FullWidthSelection, true);
    setExtraSelections({mark});
    setTextCursor(QTextCursor(block));
    centerCursor();
}

} // namespace astra
