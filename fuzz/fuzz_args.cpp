// fuzz_args.cpp — the CLI argument parser (apps/args: Args::parse, the typed
// accessors, parse_floats, parse_rule of model/heads) and the two subcommands that only compute
// from their flags, `ordgrad explain` and `ordgrad gradcheck`, run as main() runs them.
// Input: newline-separated tokens. The first token picks what runs: "explain" or
// "gradcheck" run that subcommand on the other tokens; anything else parses all
// tokens against a flag set of every kind and reads each flag as its type.
// --plot (explain writes an SVG file there) is skipped: no files written anywhere.
#include <cstdio>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "losses/spec.h"
#include "model/heads.h"

namespace {

void generic(int argc, char** argv) {
  og::cli::Args a("fuzz", {{"text", "x", "a string"},
                           {"count", "3", "an integer"},
                           {"rate", "0.5", "a number"},
                           {"list", "1,2", "numbers"},
                           {"rule", "default", "a prediction rule"},
                           {"on", "", "a switch", true}});
  if (!a.parse(argc, argv, 1)) return;
  a.str("text");
  a.has("count");
  a.integer("count");
  a.number("rate");
  a.flag("on");
  og::cli::parse_floats(a.str("list"), "fuzz: --list");
  og::parse_rule(a.str("rule"));
  a.usage();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = std::freopen("/dev/null", "w", stdout) != nullptr;   // help and results
  (void)quiet;
  std::vector<std::string> tokens{"ordgrad"};
  std::string token;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      tokens.push_back(token);
      token.clear();
    } else {
      token += static_cast<char>(data[i]);
    }
  }
  tokens.push_back(token);
  for (const std::string& t : tokens)
    if (t.rfind("--plot", 0) == 0 || t.rfind("--max-work", 0) == 0) return 0;
  // A gradcheck the sanitised build runs in about a second: the default cap (5e8, a
  // second at -O3) took 25 s here under ASan, past libFuzzer's 10 s timeout.
  if (tokens.size() > 1 && tokens[1] == "gradcheck") tokens.insert(tokens.end(), {"--max-work", "2e7"});
  std::vector<char*> argv;
  for (std::string& t : tokens) argv.push_back(t.data());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(tokens.size());
  try {
    if (tokens[1] == "explain") og::cli::run_explain(argc, argv.data());
    else if (tokens[1] == "gradcheck") og::cli::run_gradcheck(argc, argv.data());
    else generic(argc, argv.data());
  } catch (const og::Error&) {
  }
  return 0;
}
