// curves.h — training curves for `train` and `demo`: fed every epoch's report, redraws
// one SVG (train loss, held-out loss, held-out MAE against the epoch).
#pragma once
#include <string>

#include "apps/plot.h"
#include "model/fit.h"

namespace og::cli {

class TrainingCurves {
 public:
  TrainingCurves(std::string path, std::string title, const std::string& heldout)
      : path_(std::move(path)), title_(std::move(title)),
        series_{{"train loss", {}, {}, {}}, {heldout + " loss", {}, {}, {}}, {heldout + " MAE", {}, {}, {}}} {}
  void add(const EpochReport& r) {
    const double y[3] = {r.train.loss, r.heldout_loss, r.heldout_mae};
    for (int i = 0; i < 3; ++i) series_[i].x.push_back(double(r.train.epoch)), series_[i].y.push_back(y[i]);
    plot_lines(path_, title_, "epoch", "loss / MAE", series_);
  }

 private:
  std::string path_, title_;
  std::vector<Series> series_;
};

}  // namespace og::cli
