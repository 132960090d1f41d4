// eval.cpp — `ordgrad eval`: evaluate a saved model on a dataset.
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/data.h"
#include "core/parallel.h"

namespace og::cli {

int run_eval(int argc, char** argv) {
  Args a("eval", {
                     {"model", "", "model file (DIR/model.ogm), required"},
                     {"data", "fashion-mnist:test", "dataset[:split]; FILE.csv[:train|:test|:all]"},
                     {"weight-column", "", "tables: column of per-row frequency weights"},
                     {"test-fraction", "0.2", "tables: share of rows in the test split"},
                     {"split-seed", "0", "tables: seed of the train/test split"},
                     {"batch", "256", "inference batch size"},
                     {"threads", "2", "OpenMP threads"},
                     {"json", "", "print one JSON object", true},
                 });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "eval: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(a.has("model"), "eval: --model FILE is required");
  set_num_threads(a.integer("threads"));
  Model model = load_model(a.str("model"));
  NamedData d = load_named(a.str("data"), "test",
                           DataOptions{a.str("weight-column"), a.number("test-fraction"),
                                       static_cast<uint64_t>(a.integer("split-seed")),
                                       model.info.label_offset, model.info.classes});
  OG_CHECK(d.input == model.info.input, "eval: the model expects inputs ", model.info.input, ", ",
           a.str("data"), " has ", d.input);
  for (int y : d.data.y)
    OG_CHECK(y >= 0 && y < model.info.classes, "eval: label ", y, " of ", a.str("data"),
             " is outside the model's ", model.info.classes, " classes");
  prepare_inputs(d.data.x, model.info);
  Evaluation ev = evaluate(model, d.data, a.integer("batch"));
  if (a.flag("json"))
    std::printf("{\"accuracy\": %.6f, \"loss\": %.6f, \"n\": %ld}\n", ev.accuracy, ev.loss,
                static_cast<long>(d.data.size()));
  else
    std::printf("%s on %s: accuracy %.2f%%, loss %.4f, %ld examples\n", a.str("model").c_str(),
                a.str("data").c_str(), 100 * ev.accuracy, ev.loss, static_cast<long>(d.data.size()));
  return 0;
}

}  // namespace og::cli
