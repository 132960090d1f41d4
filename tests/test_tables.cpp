// Tables end to end: a linear proportional-odds model (clm) fitted with L-BFGS on a
// frequency-weighted table reproduces statsmodels' OrderedModel maximum-likelihood
// fit (docs/reference-fits.md, scripts/reference_polr.py) to 1e-4 — through the
// library (og::fit with an lbfgs Trainer) and through `ordgrad train` with no step or epoch
// flags, which runs to convergence and says so in the model file.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "helpers.h"
#include "io/csv.h"
#include "layers/ordinal_head.h"
#include "model/fit.h"

using namespace og;

namespace {
struct Fit {
  std::vector<double> beta, theta;  // raw feature scale
};

// A linear CLM model's parameters on the raw feature scale (as `ordgrad inspect`
// shows them): c_k = theta_k - sum_j w_j (x_j - m_j) / s_j.
Fit raw_fit(const Model& m) {
  const auto& head = dynamic_cast<const ClmHead&>(m.net->at(m.net->size() - 1));
  const std::vector<float>& mean = m.info.feature_mean;
  const std::vector<float>& sd = m.info.feature_std;
  REQUIRE(mean.size() == sd.size());
  Fit f;
  double shift = 0;
  for (size_t j = 0; j < mean.size(); ++j) {
    const double w = head.weight.value[j];
    f.beta.push_back(w / sd[j]);
    shift += w * mean[j] / sd[j];
  }
  const Tensor th = head.thresholds();
  for (int64_t k = 0; k < th.numel(); ++k) f.theta.push_back(th[k] + shift);
  return f;
}

// The default TrainOptions with optimizer lbfgs: no lr, tolerance or iteration count given.
Fit fit_clm(const char* link, LbfgsFit& status) {
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
  o.lr = default_lr(o.optimizer);
  Trainer tr(m, o);
  fit(tr, d, nullptr, FitOptions{});
  status = tr.lbfgs_fit();
  return raw_fit(m);
}

// max |fit - reference| over every coefficient and threshold.
double max_deviation(const Fit& f, const std::vector<double>& beta, const std::vector<double>& theta) {
  REQUIRE(f.beta.size() == beta.size());
  REQUIRE(f.theta.size() == theta.size());
  double dev = 0;
  for (size_t j = 0; j < beta.size(); ++j) dev = std::max(dev, std::fabs(f.beta[j] - beta[j]));
  for (size_t k = 0; k < theta.size(); ++k) dev = std::max(dev, std::fabs(f.theta[k] - theta[k]));
  return dev;
}

// docs/reference-fits.md, raw feature scale.
const std::vector<double> kLogitBeta = {0.01313929162, 0.00974465496, -0.04942888204, 0.01775098507};
const std::vector<double> kLogitTheta = {-6.087510163, -3.979735731, -2.227362922, -0.5302865894};
const std::vector<double> kProbitBeta = {0.007634140881, 0.005645831367, -0.02726406514, 0.009412290937};
const std::vector<double> kProbitTheta = {-3.301760038, -2.052304269, -1.043234463, -0.09247524937};

// `ordgrad train` on every row of the weighted table with the given extra flags.
Checkpoint train_cli(const test::TempDir& tmp, const std::string& name, std::vector<std::string> extra) {
  const std::string out = tmp.file(name);
  std::vector<std::string> argv = {"ordgrad", "train", "--data", "tests/data/cement_weighted.csv:all",
                                   "--model", "linear", "--weight-column", "weight", "--optimizer", "lbfgs",
                                   "--quiet", "--out", out};
  argv.insert(argv.end(), extra.begin(), extra.end());
  REQUIRE(test::run_command(cli::run_train, argv) == 0);
  return load_checkpoint(out + "/model.ogm");
}

double meta_number(const Checkpoint& ck, const std::string& key) { return std::strtod(ck.meta_at(key).c_str(), nullptr); }
}  // namespace

TEST_CASE("clm:link=logit with frequency weights matches statsmodels' OrderedModel") {
  LbfgsFit s;
  CHECK(max_deviation(fit_clm("logit", s), kLogitBeta, kLogitTheta) < 1e-4);
  CHECK(s.converged);
  CHECK(s.finished);
  CHECK(s.reason == "gradient");
  CHECK(s.grad_max <= 1e-7);
  CHECK(s.grad_l2 >= s.grad_max);
  CHECK(s.evaluations > s.iterations);
}

TEST_CASE("clm:link=probit with frequency weights matches statsmodels' OrderedModel") {
  LbfgsFit s;
  CHECK(max_deviation(fit_clm("probit", s), kProbitBeta, kProbitTheta) < 1e-4);
  CHECK(s.converged);
  CHECK(s.grad_max <= 1e-7);
}

TEST_CASE("ordgrad train --optimizer lbfgs with no step or epoch flags fits both links to the reference") {
  test::TempDir tmp;
  for (const char* link : {"logit", "probit"}) {
    CAPTURE(link);
    const bool probit = std::string(link) == "probit";
    const Checkpoint ck = train_cli(tmp, link, {"--loss", std::string("clm:link=") + link});
    const Model m = get_model(ck);
    const double dev = max_deviation(raw_fit(m), probit ? kProbitBeta : kLogitBeta, probit ? kProbitTheta : kLogitTheta);
    MESSAGE(std::string(link) << ": max |coefficient - statsmodels| " << dev << " after " << ck.meta_at("lbfgs_iterations")
                 << " iterations");
    CHECK(dev < 1e-4);
    CHECK(ck.meta_at("lbfgs_converged") == "1");
    CHECK(ck.meta_at("lbfgs_reason") == "gradient");
    CHECK(meta_number(ck, "lbfgs_grad_max") <= meta_number(ck, "lbfgs_tol"));
    CHECK(meta_number(ck, "lbfgs_tol") == 1e-7);
    // The loss at the optimum is the reference log-likelihood over the weight sum.
    CHECK(meta_number(ck, "lbfgs_loss") == doctest::Approx(probit ? 1.197797375 : 1.202394918).epsilon(1e-6));
  }
}

TEST_CASE("ordgrad train --optimizer lbfgs: a capped run says it did not converge; resuming it converges") {
  test::TempDir tmp;
  const Checkpoint capped = train_cli(tmp, "capped", {"--loss", "clm", "--max-iter", "2"});
  CHECK(capped.meta_at("lbfgs_converged") == "0");
  CHECK(capped.meta_at("lbfgs_reason") == "max_iter");
  CHECK(capped.meta_at("lbfgs_iterations") == "2");
  CHECK(meta_number(capped, "lbfgs_grad_max") > 1e-7);
  CHECK(max_deviation(raw_fit(get_model(capped)), kLogitBeta, kLogitTheta) > 1e-3);

  // The cap counts iterations in total: resuming with the same cap does nothing more.
  const std::string ckpt = tmp.file("capped") + "/checkpoint.ogm";
  const Checkpoint same = train_cli(tmp, "capped", {"--loss", "clm", "--max-iter", "2", "--resume", ckpt});
  CHECK(same.meta_at("lbfgs_iterations") == "2");
  CHECK(same.meta_at("lbfgs_converged") == "0");
  // A higher cap continues from the checkpoint (with a fresh curvature history) to the optimum.
  const Checkpoint resumed = train_cli(tmp, "capped", {"--loss", "clm", "--resume", ckpt});
  CHECK(resumed.meta_at("lbfgs_converged") == "1");
  CHECK(resumed.meta_int("lbfgs_iterations") > 2);
  CHECK(max_deviation(raw_fit(get_model(resumed)), kLogitBeta, kLogitTheta) < 1e-4);

  // --epochs is not the stopping rule of L-BFGS: giving it is an error, not ignored.
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "tests/data/cement_weighted.csv:all",
                                                          "--model", "linear", "--optimizer", "lbfgs", "--epochs", "5",
                                                          "--out", tmp.file("epochs")}),
                       doctest::Contains("--optimizer lbfgs runs until it converges"), Error);
}
