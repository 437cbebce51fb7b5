#include "settingsdialog.h"

#include "appearance.h"
#include "config/astraconfig.h"
#include "workspace/workspace.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

#include <QtConcurrent/QtConcurrentRun>

namespace astra {

namespace {
struct FileText
{
    bool ok = false;
    QByteArray text;
    QString error;
};

FileText readText(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        return {true, {}, {}};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return {false, {}, SettingsDialog::tr("Cannot read %1: %2").arg(path, file.errorString())};
    }
    return {true, file.readAll(), {}};
}

QString writeText(const QString &path, const QByteArray &text)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        return SettingsDialog::tr("Cannot write %1: %2. Nothing was changed.").arg(path, file.errorString());
    }
    return {};
}
} // namespace

SettingsDialog::SettingsDialog(const QString &configPath, QWidget *parent)
    : QDialog(parent)
    , m_path(configPath)
    , m_editor(new QPlainTextEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Settings — %1").arg(configPath));
    setObjectName(QStringLiteral("settingsDialog"));
    m_editor->setFont(monospaceFont());
    m_editor->setReadOnly(true);
    m_editor->setPlaceholderText(tr("Loading…"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_save = buttons->button(QDialogButtonBox::Save);
    m_save->setEnabled(false);
    QPushButton *check = buttons->addButton(tr("&Check"), QDialogButtonBox::ActionRole);
    connect(check, &QPushButton::clicked, this, &SettingsDialog::validate);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *intro = new QLabel(tr("The workspace's configuration (.astra.toml): policy, tests, jobs, proposers and the "
                                "generator. It is checked before it is saved; see docs/configuration.md. Where the "
                                "agent may write ([policy]) is read from the copy committed on the target branch: an "
                                "edit of it counts once it is committed."),
                             this);
    intro->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(760, 640);

    auto *watcher = new QFutureWatcher<FileText>(this);
    connect(watcher, &QFutureWatcher<FileText>::finished, this, [this, watcher] {
        const FileText read = watcher->result();
        watcher->deleteLater();
        if (!read.ok) {
            m_problem->setText(read.error);
            return;
        }
        m_editor->setPlainText(QString::fromUtf8(read.text));
        m_editor->setReadOnly(false);
        m_save->setEnabled(true);
        Q_EMIT loaded();
    });
    watcher->setFuture(QtConcurrent::run([path = m_path] { return readText(path); }));
}

QString SettingsDialog::problemText() const
{
    return m_problem->text();
}

bool SettingsDialog::validate()
{
    auto parsed = parseConfig(m_editor->toPlainText().toUtf8(), QFileInfo(m_path).fileName(), configChecks());
    if (!parsed) {
        m_problem->setText(tr("Not saved: %1").arg(parsed.message()));
        m_problem->setStyleSheet(QStringLiteral("color: #c62828;"));
        return false;
    }
    m_problem->setText(tr("The configuration is valid."));
    m_problem->setStyleSheet(QString());
    return true;
}

void SettingsDialog::save()
{
    if (!validate()) {
        Q_EMIT saveFailed(m_problem->text());
        return;
    }
    m_save->setEnabled(false);
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        const QString error = watcher->result();
        watcher->deleteLater();
        m_save->setEnabled(true);
        if (!error.isEmpty()) {
            m_problem->setText(error);
            Q_EMIT saveFailed(error);
            return;
        }
        Q_EMIT saved();
        accept();
    });
    watcher->setFuture(
        QtConcurrent::run([path = m_path, text = m_editor->toPlainText().toUtf8()] { return writeText(path, text); }));
}

} // namespace astra
