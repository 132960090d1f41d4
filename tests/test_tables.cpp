// Tables end to end: a linear proportional-odds model (clm) fitted with L-BFGS on a
// frequency-weighted table reproduces statsmodels' OrderedModel maximum-likelihood
// fit (docs/reference-fits.md, scripts/reference_polr.py) to 1e-4.
#include <doctest/doctest.h>

#include <cmath>

#include "io/csv.h"
#include "layers/ordinal_head.h"
#include "model/trainer.h"

using namespace og;

namespace {
struct Fit {
  std::vector<double> beta, theta;  // raw feature scale
};

Fit fit_clm(const char* link) {
  Table t = read_table("tests/data/cement_weighted.csv", TableOptions{"weight"});
  const LabelMap labels = LabelMap::fit(t.raw_labels);
  const Standardizer st = Standardizer::fit(t.x, t.weights);
  Dataset d{t.x.clone(), labels.to_classes(t.raw_labels), t.weights};
  st.apply(d.x);
  ModelInfo info{"linear", Shape{t.x.shape()[1]}, std::string("clm:link=") + link, labels.K, 0, 1,
                 st.mean, st.std, labels.min_label};
  Model m = make_model(info, 0);
  TrainOptions o;
  o.optimizer = "lbfgs";
  o.lr = 1.0f;
  Trainer tr(m, o);
  double last = 1e30;
  for (int e = 0; e < 40; ++e) {
    const double loss = tr.train_epoch(d).loss;
    if (std::fabs(last - loss) < 1e-9) break;
    last = loss;
  }
  // Map back to the raw scale: c_k = theta_k - sum_j w_j (x_j - m_j) / s_j.
  const auto& head = dynamic_cast<const ClmHead&>(m.net->at(m.net->size() - 1));
  Fit f;
  double shift = 0;
  for (size_t j = 0; j < st.mean.size(); ++j) {
    const double w = head.weight.value[j];
    f.beta.push_back(w / st.std[j]);
    shift += w * st.mean[j] / st.std[j];
  }
  const Tensor th = head.thresholds();
  for (int64_t k = 0; k < th.numel(); ++k) f.theta.push_back(th[k] + shift);
  return f;
}

void check_close(const Fit& f, const std::vector<double>& beta, const std::vector<double>& theta) {
  REQUIRE(f.beta.size() == beta.size());
  REQUIRE(f.theta.size() == theta.size());
  for (size_t j = 0; j < beta.size(); ++j) CHECK(std::fabs(f.beta[j] - beta[j]) < 1e-4);
  for (size_t k = 0; k < theta.size(); ++k) CHECK(std::fabs(f.theta[k] - theta[k]) < 1e-4);
}
}  // namespace

TEST_CASE("clm:link=logit with frequency weights matches statsmodels' OrderedModel") {
  check_close(fit_clm("logit"), {0.01313929162, 0.00974465496, -0.04942888204, 0.01775098507},
              {-6.087510163, -3.979735731, -2.227362922, -0.5302865894});
}

TEST_CASE("clm:link=probit with frequency weights matches statsmodels' OrderedModel") {
  check_close(fit_clm("probit"), {0.007634140881, 0.005645831367, -0.02726406514, 0.009412290937},
              {-3.301760038, -2.052304269, -1.043234463, -0.09247524937});
}
