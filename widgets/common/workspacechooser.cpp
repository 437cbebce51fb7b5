#include "workspacechooser.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace astra {

namespace {
const QString recentKey = QStringLiteral("workspaces/recent");
constexpr int maxRecent = 10;
} // namespace

QStringList WorkspaceChooser::recentWorkspaces()
{
    return QSettings().value(recentKey).toStringList();
}

void WorkspaceChooser::rememberWorkspace(const QString &path)
{
    if (path.isEmpty()) {
        return;
    }
    QStringList recent = recentWorkspaces();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > maxRecent) {
        recent.removeLast();
    }
    QSettings().setValue(recentKey, recent);
}

void WorkspaceChooser::forgetWorkspace(const QString &path)
{
    QStringList recent = recentWorkspaces();
    recent.removeAll(path);
    QSettings().setValue(recentKey, recent);
}

WorkspaceChooser::WorkspaceChooser(const QString &current, QWidget *parent)
    : QDialog(parent)
    , m_list(new QListWidget(this))
    , m_current(current)
{
    setWindowTitle(tr("Open a workspace"));
    setObjectName(QStringLiteral("workspaceChooser"));
    auto *label = new QLabel(tr("Recent workspaces (Enter opens, Delete forgets):"), this);
    for (const QString &path : recentWorkspaces()) {
        auto *item = new QListWidgetItem(QDir::toNativeSeparators(path), m_list);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
    }
    if (m_list->count() > 0) {
        m_list->setCurrentRow(0);
    } else {
        m_list->addItem(tr("None yet: browse for a folder inside a git repository."));
        m_list->item(0)->setFlags(Qt::NoItemFlags);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    QPushButton *browse = buttons->addButton(tr("&Browse…"), QDialogButtonBox::ActionRole);
    QPushButton *forget = buttons->addButton(tr("&Forget"), QDialogButtonBox::ActionRole);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a git repository"), m_current);
        if (!dir.isEmpty()) {
            choose(dir);
        }
    });
    auto forgetCurrent = [this] {
        QListWidgetItem *item = m_list->currentItem();
        if (item && !item->data(Qt::UserRole).toString().isEmpty()) {
            forgetWorkspace(item->data(Qt::UserRole).toString());
            delete item;
        }
    };
    connect(forget, &QPushButton::clicked, this, forgetCurrent);
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        choose(item->data(Qt::UserRole).toString());
    });
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (QListWidgetItem *item = m_list->currentItem()) {
            choose(item->data(Qt::UserRole).toString());
        }
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *remove = new QAction(this);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(remove, &QAction::triggered, this, forgetCurrent);
    m_list->addAction(remove);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(620, 380);
}

void WorkspaceChooser::choose(const QString &path)
{
    if (path.isEmpty()) {
        return;
    }
    m_chosen = path;
    Q_EMIT workspaceChosen(path);
    accept();
}

} // namespace astra
