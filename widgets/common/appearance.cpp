#include "appearance.h"

#include <QApplication>
#include <QFontDatabase>
#include <QFontInfo>
#include <QStyle>
#include <QStyleFactory>

namespace astra {

namespace {
// The style and palette the application started with, for going back to "system".
struct Original
{
    QString style;
    QPalette palette;
};

Original &original()
{
    static Original value{QApplication::style() ? QApplication::style()->objectName() : QString(),
                          QApplication::palette()};
    return value;
}
} // namespace

QString toString(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme themeFromString(const QString &name)
{
    if (name == u"light") {
        return Theme::Light;
    }
    if (name == u"dark") {
        return Theme::Dark;
    }
    return Theme::System;
}

QPalette paletteFor(Theme theme)
{
    if (theme == Theme::System) {
        return original().palette;
    }
    struct Role
    {
        QPalette::ColorRole role;
        QRgb light;
        QRgb dark;
    };
    static const Role roles[] = {
        {QPalette::Window, 0xf3f3f3, 0x2b2d30},
        {QPalette::WindowText, 0x1e1e1e, 0xdfe1e5},
        {QPalette::Base, 0xffffff, 0x1e1f22},
        {QPalette::AlternateBase, 0xf6f8fa, 0x26282b},
        {QPalette::Text, 0x1e1e1e, 0xdfe1e5},
        {QPalette::Button, 0xeaeaea, 0x3a3d41},
        {QPalette::ButtonText, 0x1e1e1e, 0xdfe1e5},
        {QPalette::Highlight, 0x2f6fd0, 0x3574f0},
        {QPalette::HighlightedText, 0xffffff, 0xffffff},
        {QPalette::ToolTipBase, 0xffffe1, 0x3a3d41},
        {QPalette::ToolTipText, 0x000000, 0xdfe1e5},
        {QPalette::PlaceholderText, 0x6a6a6a, 0x8c8f94},
        {QPalette::Link, 0x1a5fb4, 0x6ca8ff},
    };
    QPalette palette;
    for (const Role &r : roles) {
        palette.setColor(r.role, QColor(theme == Theme::Light ? r.light : r.dark));
    }
    // Disabled text: between the text and the background.
    const QColor disabled(QRgb(theme == Theme::Light ? 0x9a9a9a : 0x7a7d82));
    for (QPalette::ColorRole role : {QPalette::Text, QPalette::ButtonText, QPalette::WindowText}) {
        palette.setColor(QPalette::Disabled, role, disabled);
    }
    return palette;
}

void applyTheme(Theme theme)
{
    const Original &start = original();
    if (theme == Theme::System) {
        if (!start.style.isEmpty()) {
            QApplication::setStyle(QStyleFactory::create(start.style));
        }
        QApplication::setPalette(start.palette);
        return;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(paletteFor(theme));
}

QFont monospaceFont()
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    if (!QFontInfo(font).fixedPitch()) {
        font.setFamily(QStringLiteral("monospace"));
        font.setStyleHint(QFont::TypeWriter);
        font.setFixedPitch(true);
    }
    return font;
}

} // namespace astra
