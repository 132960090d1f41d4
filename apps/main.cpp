// main.cpp — the `ordgrad` entry point: dispatches subcommands and turns every
// og::Error into one line on stderr and a non-zero exit code.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "apps/commands.h"
#include "apps/repro_libm.h"
#include "core/check.h"
#include "core/comm.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
  bool all_ranks = false;  // under mpirun every rank runs it; otherwise rank 0 alone
};

const Command kCommands[] = {
    {"demo", og::cli::run_demo, "the whole problem: counting images, an ordinal CNN, totals of 8"},
    {"gen-counts", og::cli::run_gen_counts, "write the counting images and their manifests"},
    {"train", og::cli::run_train, "train a model (--help for flags)", true},
    {"eval", og::cli::run_eval, "every metric of a saved model on a dataset"},
    {"predict", og::cli::run_predict, "per-example distributions and per-group totals with intervals"},
    {"compare", og::cli::run_compare, "several losses side by side on the same data and seeds"},
    {"bench", og::cli::run_bench, "training and inference throughput, per-layer times, memory", true},
    {"explain", og::cli::run_explain, "a loss's value and gradient for one prediction"},
    {"inspect", og::cli::run_inspect, "a model file's metadata and parameters"},
    {"calibrate", og::cli::run_calibrate, "fit a model's confidence to held-out data (temperature)"},
    {"export", og::cli::run_export, "a model as a file other programs read (safetensors)"},
    {"gradcheck", og::cli::run_gradcheck, "check a loss's gradient against finite differences"},
};

void usage(std::FILE* out) {
  std::fputs("usage: ordgrad COMMAND [flags]   (ordgrad COMMAND --help for its flags)\n\ncommands:\n", out);
  for (const Command& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  std::fputs("\nexit codes: 0 ok, 1 bad input or failed run, 2 internal error\n", out);
}

}  // namespace

// With several processes (mpirun and the MPI build) an error names its rank and stops
// every rank (MPI_Abort), unless every rank raised it together (EveryRankError): rank 0
// then prints it once and all exit. Only `train` runs data-parallel; the other commands
// run on rank 0 and say so (bench only with --combine runs on several).
int main(int argc, char** argv) {
  og::cli::pin_libm_variants(argv);
  if (!og::mpi_build() && og::launched_processes() > 1) {  // said once, by rank 0
    if (og::launched_rank() == 0)
      std::fprintf(stderr, "ordgrad: started as one of %d processes (mpirun), but this ordgrad was built without "
                   "MPI; build it with make MPI=1 (docs/distributed.md)\n", og::launched_processes());
    return 1;
  }
  og::start_processes(&argc, &argv);
  og::Comm& world = og::world();
  const int rank = world.rank(), ranks = world.size();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    if (rank == 0) usage(stdout);
    og::end_processes();
    return argc < 2 ? 1 : 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    int rc = 1;
    const auto fail = [&](const char* line, int code) {  // one line, then stop every rank
      if (ranks == 1) return std::fprintf(stderr, "ordgrad: %s\n", line), code;
      std::fprintf(stderr, "ordgrad: rank %d: %s\n", rank, line);
      std::fflush(stderr);
      og::abort_processes(code);
    };
    try {
      if (ranks > 1 && !c.all_ranks) {
        if (rank == 0)
          std::fprintf(stderr, "ordgrad %s: runs on one process (rank 0); the other %d wait\n", c.name, ranks - 1);
        rc = rank == 0 ? c.run(argc, argv) : 0;
      } else {
        rc = c.run(argc, argv);
      }
    } catch (const og::EveryRankError& e) {
      if (rank == 0) std::fprintf(stderr, "ordgrad: %s\n", e.what());
    } catch (const og::Error& e) {
      rc = fail(e.what(), 1);  // the message names its origin
    } catch (const std::bad_alloc&) {
      rc = fail(og::cat(c.name, ": out of memory").c_str(), 1);
    } catch (const std::exception& e) {
      rc = fail(og::cat(c.name, ": internal error: ", e.what()).c_str(), 2);
    }
    og::end_processes();
    return rc;
  }
  if (rank == 0) {
    std::fprintf(stderr, "ordgrad: unknown command '%s'\n", argv[1]);
    usage(stderr);
  }
  og::end_processes();
  return 1;
}
