#pragma once

#include <QFont>
#include <QPalette>
#include <QString>

namespace astra {

// Light and dark palettes (Fusion) beside the desktop's own; the choice is kept in the
// settings and applies to the whole application, the diff colours and the highlighting theme.
enum class Theme
{
    System,
    Light,
    Dark,
};

QString toString(Theme theme); // "system", "light", "dark"
Theme themeFromString(const QString &name);
QPalette paletteFor(Theme theme);
// Applies `theme` to the application (style and palette).
void applyTheme(Theme theme);

// The desktop's fixed-pitch font for code. Where the platform names none that is fixed pitch
// (Qt 5 without a platform theme gives the proportional default), the generic monospace family.
QFont monospaceFont();

} // namespace astra
