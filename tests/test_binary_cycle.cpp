// The `ordgrad` binary through a whole life cycle — gen-counts, train (which saves),
// resume (which loads), eval, predict, inspect — each process must exit 0 and write
// nothing to stderr. Under `make test SAN=1` ORDGRAD_BIN is the sanitizer build, so
// this is the leak check of a full train -> save -> load -> eval cycle: LeakSanitizer
// runs at every exit and reports (on stderr, exit code 23) any block never freed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "helpers.h"

TEST_CASE("the ordgrad binary: gen-counts, train, resume, eval, predict, inspect exit 0 with a clean stderr") {
  const char* bin = og::test::ordgrad_binary();
  if (bin == nullptr) return;
  og::test::TempDir tmp;
  const std::string data = tmp.file("data"), run = tmp.file("run"), table = tmp.file("table");
  auto sh = [&](const std::string& args) {
    std::string err;
    const int status = og::test::run_binary(bin, args, tmp.file("stderr"), err);
    INFO("ordgrad " << args);
    CHECK(err == "");
    CHECK(status == 0);   // -1 when a signal (e.g. a sanitizer abort) ended it
  };
  sh("gen-counts --out " + data + " --n 160 --seed 3 --quiet");
  const std::string train = "train --data " + data + " --model count-cnn --image-size 16 --loss ce+0.5*rps"
                            " --optimizer adam --lr 0.003 --batch 16 --flip --shift 1 --quiet --out " + run;
  sh(train + " --epochs 1");
  sh(train + " --epochs 2 --resume " + run + "/checkpoint.ogm");
  sh("eval --model " + run + "/model.ogm --data " + data + ":test --group 8 --json");
  sh("predict --model " + run + "/model.ogm --data " + data + ":test --group 8 --limit 2");
  sh("inspect " + run + "/best.ogm");
  // A table with the full-batch optimiser and an ordinal head.
  sh("train --data tests/data/cement_strength.csv --model mlp:8 --loss clm --optimizer lbfgs"
     " --max-iter 20 --quiet --out " + table);
  sh("eval --model " + table + "/model.ogm --data tests/data/cement_strength.csv:test --json");
}
