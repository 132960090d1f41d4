// commands.h — the subcommands of the `ordgrad` tool, one file each in apps/.
// Each takes (argc, argv) with argv[1] the subcommand's name, prints its own
// output, throws og::Error for bad input, and returns the process exit code.
#pragma once

namespace og::cli {

int run_demo(int argc, char** argv);   // apps/demo.cpp
int run_train(int argc, char** argv);  // apps/train.cpp
int run_eval(int argc, char** argv);   // apps/eval.cpp
int run_bench(int argc, char** argv);  // apps/bench.cpp
int run_explain(int argc, char** argv);  // apps/explain.cpp
int run_inspect(int argc, char** argv);  // apps/inspect.cpp

}  // namespace og::cli
