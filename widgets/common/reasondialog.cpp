#include "reasondialog.h"

#include <QDialogButtonBox>
#include <QInputDialog>
#include <QPushButton>

namespace astra {

void askForReason(QWidget *parent,
                  const QString &objectName,
                  const QString &title,
                  const QString &label,
                  std::function<void(const QString &)> done)
{
    auto *dialog = new QInputDialog(parent);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    dialog->setLabelText(label);
    const auto updateOk = [dialog](const QString &text) {
        if (auto *buttons = dialog->findChild<QDialogButtonBox *>()) {
            if (QPushButton *ok = buttons->button(QDialogButtonBox::Ok)) {
                ok->setEnabled(!text.trimmed().isEmpty());
            }
        }
    };
    QObject::connect(dialog, &QInputDialog::textValueChanged, dialog, updateOk);
    QObject::connect(dialog, &QInputDialog::textValueSelected, dialog, [done](const QString &reason) {
        if (!reason.trimmed().isEmpty()) {
            done(reason.trimmed());
        }
    });
    dialog->open();
    updateOk(dialog->textValue());
}

} // namespace astra
