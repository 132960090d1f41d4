// commands.h — the subcommands of the `ordgrad` tool, one file each in apps/.
// Each takes (argc, argv) with argv[1] the subcommand's name, prints its own
// output, throws og::Error for bad input, and returns the process exit code.
#pragma once
#include <string>
#include <vector>

#include "apps/plot.h"

namespace og::cli {

int run_demo(int argc, char** argv);   // apps/demo.cpp
int run_train(int argc, char** argv);  // apps/train.cpp
int run_eval(int argc, char** argv);   // apps/eval.cpp
int run_bench(int argc, char** argv);  // apps/bench.cpp
int run_explain(int argc, char** argv);  // apps/explain.cpp
int run_inspect(int argc, char** argv);  // apps/inspect.cpp
int run_predict(int argc, char** argv);  // apps/predict.cpp
int run_compare(int argc, char** argv);  // apps/compare.cpp
int run_gen_counts(int argc, char** argv);  // apps/gen_counts.cpp
int run_gradcheck(int argc, char** argv);  // apps/gradcheck.cpp
int run_export(int argc, char** argv);  // apps/export.cpp
int run_calibrate(int argc, char** argv);  // apps/calibrate.cpp

// For each loss, its value against predictions p_k ~ exp(-(k-j)^2 / (2 width^2))
// peaked at every class j, for true label y (apps/explain.cpp; also the demo's picture).
std::vector<Series> loss_curves(const std::vector<std::string>& losses, int K, int y, double width);

}  // namespace og::cli
