#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace astra {

// One numbered schema step. Statements are SQL templates (see SqlDialect::expand) that run
// unchanged on SQLite and PostgreSQL; the checksum is over the templates, so it is the same
// on both.
struct Migration
{
    int version = 0;
    QString name;
    QStringList statements;

    QString checksum() const;
    QString label() const; // "0002 ledger"
};

// The product's migrations in order, numbered from 1 without gaps. Never edit one that has
// shipped: add a new one.
QList<Migration> builtinMigrations();

} // namespace astra
