#pragma once

#include <QPlainTextEdit>

#include <memory>

namespace astra {

// A file's text to read: read-only, in the fixed font, highlighted for its language when this
// build has KSyntaxHighlighting (the definition from the file name, or `language` when given),
// with one line marked and scrolled to.
class SourceView : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit SourceView(QWidget *parent = nullptr);
    ~SourceView() override;

    // `line`: 1-based; 0 marks nothing and shows the top.
    void setSource(const QString &fileName, const QString &text, int line = 0, const QString &language = {});
    // The highlighting definition in use ("C++", "Common Lisp"); empty without one.
    QString language() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace astra
