#pragma once

#include <QWidget>

class QListView;

namespace astra {

class DiffModel;

// The overview ruler beside the diff: the whole of the file being read, top to bottom, with a
// mark for every removed (red) and added (green) line and a frame around what is on screen.
// A click goes there.
class DiffOverview : public QWidget
{
    Q_OBJECT
public:
    DiffOverview(DiffModel *model, QListView *list, QWidget *parent = nullptr);
    QSize sizeHint() const override;
    // The rows [first, end) the ruler shows: the file of the top row on screen.
    std::pair<int, int> fileRows() const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    void goTo(int y);

    DiffModel *m_model;
    QListView *m_list;
};

} // namespace astra
