// main.cpp — the `ordgrad` entry point: dispatches subcommands and turns every
// og::Error into one line on stderr and a non-zero exit code.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "apps/commands.h"
#include "apps/repro_libm.h"
#include "core/check.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const Command kCommands[] = {
    {"demo", og::cli::run_demo, "the whole problem: counting images, an ordinal CNN, totals of 8"},
    {"gen-counts", og::cli::run_gen_counts, "write the counting images and their manifests"},
    {"train", og::cli::run_train, "train a model (--help for flags)"},
    {"eval", og::cli::run_eval, "every metric of a saved model on a dataset"},
    {"predict", og::cli::run_predict, "per-example distributions and per-group totals with intervals"},
    {"compare", og::cli::run_compare, "several losses side by side on the same data and seeds"},
    {"bench", og::cli::run_bench, "training and inference throughput, per-layer times, memory"},
    {"explain", og::cli::run_explain, "a loss's value and gradient for one prediction"},
    {"inspect", og::cli::run_inspect, "a model file's metadata and parameters"},
    {"gradcheck", og::cli::run_gradcheck, "check a loss's gradient against finite differences"},
};

void usage(std::FILE* out) {
  std::fputs("usage: ordgrad COMMAND [flags]   (ordgrad COMMAND --help for its flags)\n\ncommands:\n", out);
  for (const Command& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  std::fputs("\nexit codes: 0 ok, 1 bad input or failed run, 2 internal error\n", out);
}

}  // namespace

int main(int argc, char** argv) {
  og::cli::pin_libm_variants(argv);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    usage(stdout);
    return argc < 2 ? 1 : 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(argc, argv);
    } catch (const og::Error& e) {
      std::fprintf(stderr, "ordgrad: %s\n", e.what());  // the message names its origin
      return 1;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "ordgrad %s: out of memory\n", c.name);
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ordgrad %s: internal error: %s\n", c.name, e.what());
      return 2;
    }
  }
  std::fprintf(stderr, "ordgrad: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 1;
}
