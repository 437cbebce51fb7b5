#include "appearance.h"

#include <QApplication>
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
    QPalette p;
    if (theme == Theme::Light) {
        p.setColor(QPalette::Window, QColor(0xf3, 0xf3, 0xf3));
        p.setColor(QPalette::WindowText, QColor(0x1e, 0x1e, 0x1e));
        p.setColor(QPalette::Base, Qt::white);
        p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
        p.setColor(QPalette::Text, QColor(0x1e, 0x1e, 0x1e));
        p.setColor(QPalette::Button, QColor(0xea, 0xea, 0xea));
        p.setColor(QPalette::ButtonText, QColor(0x1e, 0x1e, 0x1e));
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe1));
        p.setColor(QPalette::ToolTipText, Qt::black);
        p.setColor(QPalette::PlaceholderText, QColor(0x6a, 0x6a, 0x6a));
        p.setColor(QPalette::Link, QColor(0x1a, 0x5f, 0xb4));
    } else {
        p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
        p.setColor(QPalette::WindowText, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
        p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
        p.setColor(QPalette::Text, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::Button, QColor(0x3a, 0x3d, 0x41));
        p.setColor(QPalette::ButtonText, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xf0));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x41));
        p.setColor(QPalette::ToolTipText, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8f, 0x94));
        p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x7a, 0x7d, 0x82));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x7a, 0x7d, 0x82));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x7a, 0x7d, 0x82));
    }
    return p;
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

} // namespace astra
