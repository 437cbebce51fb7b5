#pragma once

#include <QString>

namespace astra {

QString astraVersion();
// "astra 0.1.0 (Qt 6.4.2, libgit2 1.5.1, SQLite/PostgreSQL via QtSql)" and friends.
QString versionReport(const QString &program);

} // namespace astra
