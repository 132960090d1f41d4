// calibrate.cpp — `ordgrad calibrate --model M --data D:val --out FILE.ogm`: fits the
// model's confidence to held-out data (model/calibrate.h) and writes the model with it;
// eval, predict, inspect and export then use it. Prints the held-out NLL and ECE
// before and after.
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/calibration.h"
#include "core/metrics.h"
#include "core/parallel.h"
#include "core/serialize.h"
#include "model/calibrate.h"
#include "model/data.h"
#include "model/inference.h"

namespace og::cli {

int run_calibrate(int argc, char** argv) {
  Args a("calibrate", with_scoring_data_flags({
                          {"model", "", "model file to calibrate (DIR/best.ogm), required"},
                          {"data", "", "held-out data the model was not trained on, e.g. DIR:val (required)"},
                          {"method", "temperature", "temperature: one T dividing the outputs, fitted by the held-out NLL"},
                          {"out", "", "calibrated model file to write (required)"},
                          {"batch", "256", "inference batch size"},
                          {"threads", "2", "OpenMP threads"},
                          {"quiet", "", "print nothing", true},
                      }));
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "calibrate: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(a.has("model") && a.has("data") && a.has("out"), "calibrate: --model, --data and --out are required");
  OG_CHECK(a.str("method") == "temperature", "calibrate: unknown --method '", a.str("method"), "' (known: temperature)");
  set_num_threads(a.integer("threads"));
  Checkpoint ck = load_model_file(a.str("model"));
  Model model = get_model(ck);
  const NamedData d = load_scoring_data(a, model.info, "calibrate");
  const LossSpec spec = LossSpec::parse(model.info.loss);
  model.info.temperature = 1.0f;  // fit from the raw outputs, whatever the file held
  const Tensor outputs = predict(model, d.data, a.integer("batch"));
  const TemperatureFit f = fit_temperature(spec, outputs, d.data.y, model.info.classes, d.data.weights);
  const Tensor before = class_probs(spec, outputs, model.info.classes);
  model.info.temperature = static_cast<float>(f.temperature);
  const Tensor after = class_probs(spec, calibrated(model.info, outputs), model.info.classes);
  char t[32];
  std::snprintf(t, sizeof t, "%.9g", double(model.info.temperature));  // reads back as the same float
  ck.meta["temperature"] = t;
  save_checkpoint(a.str("out"), ck);
  if (!a.flag("quiet"))
    std::printf("temperature %.4g on %s (%ld rows): NLL %.4f -> %.4f, ECE %.4f -> %.4f, cumulative ECE %.4f -> %.4f; "
                "wrote %s\n",
                f.temperature, a.str("data").c_str(), static_cast<long>(d.data.size()), f.nll_before, f.nll_after,
                ece_top_label(d.data.y, before, 15, d.data.weights), ece_top_label(d.data.y, after, 15, d.data.weights),
                ece_cumulative(d.data.y, before, 15, d.data.weights),
                ece_cumulative(d.data.y, after, 15, d.data.weights), a.str("out").c_str());
  return 0;
}

}  // namespace og::cli
