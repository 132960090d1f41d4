// The subcommands, driven in-process: flags, errors, and the files a run leaves.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/check.h"
#include "model/model.h"
#include "helpers.h"

using namespace og;
namespace fs = std::filesystem;

TEST_CASE("flags: values, switches, negative numbers, unknown flags, --help") {
  cli::Args a("x", {{"lr", "0.1", "rate"}, {"logits", "", "numbers"}, {"json", "", "switch", true}});
  std::vector<std::string> w = {"ordgrad", "x", "--lr=0.5", "--logits", "-0.5,1,2", "--json"};
  std::vector<char*> argv;
  for (auto& s : w) argv.push_back(s.data());
  REQUIRE(a.parse(int(argv.size()), argv.data(), 2));
  CHECK(a.number("lr") == 0.5);
  CHECK(cli::parse_floats(a.str("logits"), "--logits") == std::vector<float>{-0.5f, 1, 2});
  CHECK(a.flag("json"));
  cli::Args b("x", {{"lr", "0.1", "rate"}});
  std::vector<std::string> bad = {"ordgrad", "x", "--lrr", "1"};
  std::vector<char*> bv;
  for (auto& s : bad) bv.push_back(s.data());
  CHECK_THROWS_WITH_AS(b.parse(int(bv.size()), bv.data(), 2), "x: unknown flag --lrr (see ordgrad x --help)", Error);
  std::vector<std::string> nov = {"ordgrad", "x", "--lr"};
  std::vector<char*> nv;
  for (auto& s : nov) nv.push_back(s.data());
  CHECK_THROWS_WITH_AS(b.parse(int(nv.size()), nv.data(), 2), "x: --lr needs a value", Error);
  std::vector<std::string> nan = {"ordgrad", "x", "--lr", "fast"};
  std::vector<char*> av;
  for (auto& s : nan) av.push_back(s.data());
  REQUIRE(b.parse(int(av.size()), av.data(), 2));
  CHECK_THROWS_WITH_AS(b.number("lr"), "x: --lr expects a number, got 'fast'", Error);
  CHECK_THROWS_AS(cli::parse_floats("1,,2", "--logits"), Error);
}

TEST_CASE("train then eval on the demo data leaves model, checkpoint and log, and no temp files") {
  test::TempDir tmp;
  const fs::path dir = tmp.path / "run";
  CHECK(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:16", "--optimizer",
                             "adam", "--lr", "0.01", "--epochs", "2", "--quiet", "--out", dir.string()}) == 0);
  CHECK(fs::exists(dir / "model.ogm"));
  CHECK(fs::exists(dir / "checkpoint.ogm"));
  CHECK(fs::exists(dir / "log.csv"));
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    ++files;
    CHECK(e.path().string().find(".tmp") == std::string::npos);
  }
  CHECK(files == 5);  // model, checkpoint, best, log, curves
  CHECK(fs::exists(dir / "best.ogm"));
  Model m = load_model((dir / "model.ogm").string());
  CHECK(m.info.architecture == "flatten, dense(16), relu");
  CHECK(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", (dir / "model.ogm").string(), "--data",
                            "demo:test", "--json"}) == 0);
  // Resuming to 3 epochs continues from epoch 2 and extends the log.
  CHECK(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:16", "--optimizer",
                             "adam", "--lr", "0.01", "--epochs", "3", "--quiet", "--out", dir.string(),
                             "--resume", (dir / "checkpoint.ogm").string()}) == 0);
  std::FILE* f = std::fopen((dir / "log.csv").string().c_str(), "r");
  REQUIRE(f);
  int lines = 0;
  for (int c; (c = std::fgetc(f)) != EOF;) lines += c == '\n';
  std::fclose(f);
  CHECK(lines == 4);  // header + 3 epochs
}

TEST_CASE("bad input to train and eval is one clear error") {
  test::TempDir tmp;
  const fs::path dir = tmp.path / "run";
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--out", dir.string(),
                                            "--loss", "hinge"}),
                       doctest::Contains("unknown loss 'hinge'"), Error);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo"}),
                       "train: --out DIR is required", Error);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "cifar", "--out", dir.string()}),
                       doctest::Contains("unknown data 'cifar'"), Error);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "resnet",
                                            "--out", dir.string()}),
                       doctest::Contains("unknown layer or network 'resnet'"), Error);
  CHECK_THROWS_AS(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", (dir / "none.ogm").string()}), Error);
  CHECK_FALSE(fs::exists(dir / "model.ogm"));
}

TEST_CASE("explain prints a loss and its gradient for one prediction") {
  CHECK(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "rps", "--logits", "0.5,-1,2,0,1", "--label",
                               "2", "--json"}) == 0);
  CHECK(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "clm", "--score", "0.3", "--thresholds",
                               "-1,0.2,1.5,2", "--label", "4", "--json"}) == 0);
  CHECK(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "reg_l1", "--logits", "2.5", "--classes", "5",
                               "--label", "1"}) == 0);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "coral", "--logits", "1,2",
                                              "--label", "3"}),
                       "explain: label 3 out of range [0,3)", Error);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "reg_l1", "--logits", "2", "--label", "1"}),
                       doctest::Contains("needs --classes K"), Error);
  CHECK_THROWS_AS(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "ce", "--logits", "1,x", "--label", "0"}), Error);
}

TEST_CASE("tables: train a linear CLM model with weights, inspect it, eval it") {
  test::TempDir tmp;
  const std::string csv = tmp.file("t.csv");
  {
    std::FILE* f = std::fopen(csv.c_str(), "w");
    std::fputs("\"response\",\"a\",\"b\",\"w\"\n", f);
    Rng rng(1);
    for (int i = 0; i < 300; ++i) {
      const float a = rng.normal(), b = rng.normal();
      const float s = 1.5f * a - b + 0.5f * rng.normal();
      const int y = s < -1 ? 1 : s < 0.5f ? 2 : s < 1.5f ? 3 : 4;
      std::fprintf(f, "%d,\"%g\",%g,%d\n", y, 10 + 3 * a, b, 1 + i % 3);
    }
    std::fclose(f);
  }
  const std::string out = tmp.file("run");
  CHECK(test::run_command(cli::run_train, {"ordgrad", "train", "--data", csv, "--model", "linear", "--loss", "clm",
                             "--optimizer", "lbfgs", "--weight-column", "w",
                             "--quiet", "--out", out}) == 0);
  Model m = load_model(out + "/model.ogm");
  CHECK(m.info.classes == 4);
  CHECK(m.info.label_offset == 1);
  CHECK(m.info.feature_mean.size() == 2);
  CHECK(test::run_command(cli::run_inspect, {"ordgrad", "inspect", out + "/model.ogm", "--json"}) == 0);
  CHECK(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", out + "/model.ogm", "--data", csv, "--json",
                            "--weight-column", "w"}) == 0);
  CHECK_THROWS_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", csv, "--weight-column", "nope",
                                       "--model", "linear", "--out", out}), Error);
}

TEST_CASE("explain on a group: the total's loss and one gradient row per item") {
  CHECK(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "total_nll", "--group-logits", "0,1,-2;1,-1,0.5;0,0,0",
                               "--total", "3", "--json"}) == 0);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "total_nll", "--group-logits",
                                              "0,1;1,-1,0.5", "--total", "1"}),
                       doctest::Contains("row 2 has 3 logits"), Error);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "total_nll", "--group-logits", "0,1;1,0",
                                              "--total", "5"}),
                       "explain: total 5 out of range [0,2]", Error);
  CHECK_THROWS_AS(test::run_command(cli::run_explain, {"ordgrad", "explain", "--loss", "ce", "--group-logits", "0,1;1,0", "--total", "1"}),
                  Error);
}

TEST_CASE("eval reports every metric, and totals of groups") {
  test::TempDir tmp;
  const std::string out = tmp.file("run");
  REQUIRE(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:16", "--optimizer", "adam",
                               "--lr", "0.01", "--epochs", "2", "--loss", "ce+0.5*rps", "--class-weights", "sqrt",
                               "--quiet", "--out", out}) == 0);
  CHECK(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", out + "/model.ogm", "--data", "demo:test", "--json",
                            "--group", "8", "--rule", "median"}) == 0);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", out + "/model.ogm", "--data", "demo:test",
                                           "--group", "2000"}),
                       doctest::Contains("is more than the 1000 examples"), Error);
  CHECK_THROWS_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:16", "--loss",
                                       "total_nll:group=8", "--batch", "60", "--out", out}),
                  Error);  // batch not a multiple of the group
}

TEST_CASE("images end to end: gen-counts, train, eval with groups, predict, compare, demo") {
  test::TempDir tmp;
  const std::string data = tmp.file("data"), run_dir = tmp.file("run");
  REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", data, "--n", "480", "--seed", "1", "--quiet"}) == 0);
  REQUIRE(test::run_command(cli::run_train, {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--loss", "ce+0.5*rps",
                               "--optimizer", "adam", "--lr", "0.002", "--batch", "32", "--epochs", "2", "--quiet",
                               "--out", run_dir}) == 0);
  Model m = load_model(run_dir + "/model.ogm");
  CHECK(m.info.classes == 30);
  CHECK(m.info.input == Shape{1, 32, 32});
  CHECK(fs::exists(run_dir + "/best.ogm"));
  CHECK(fs::exists(run_dir + "/curves.svg"));
  CHECK(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", run_dir + "/model.ogm", "--data", data + ":test", "--group",
                            "8", "--json", "--plot", tmp.file("confusion.svg")}) == 0);
  CHECK(fs::exists(tmp.file("confusion.svg")));
  const std::string csv = tmp.file("pred.csv");
  CHECK(test::run_command(cli::run_predict, {"ordgrad", "predict", "--model", run_dir + "/model.ogm", "--data", data + ":test",
                               "--group", "8", "--limit", "2", "--csv", csv}) == 0);
  std::FILE* f = std::fopen(csv.c_str(), "r");
  REQUIRE(f);
  int lines = 0;
  for (int c; (c = std::fgetc(f)) != EOF;) lines += c == '\n';
  std::fclose(f);
  CHECK(lines > 1);
  const std::string cmp = tmp.file("cmp");
  CHECK(test::run_command(cli::run_compare, {"ordgrad", "compare", "--data", data, "--losses", "ce;corn", "--seeds", "1", "--epochs",
                               "1", "--merge-labels", "0-4,5-9,10-29", "--out", cmp}) == 0);
  CHECK(fs::exists(cmp + "/compare.csv"));
  CHECK(fs::exists(cmp + "/compare.svg"));
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_compare, {"ordgrad", "compare", "--data", data, "--losses", "ce", "--out", cmp,
                                              "--merge-labels", "0-4,6-29"}),
                       "compare: --merge-labels leaves label 5 out", Error);
  const std::string demo = tmp.file("runs/nested/demo");  // parents are created
  CHECK(test::run_command(cli::run_demo, {"ordgrad", "demo", "--out", demo, "--n", "480", "--epochs", "1"}) == 0);
  for (const char* pic : {"/curves.svg", "/confusion.svg", "/explain.svg"}) CHECK(fs::exists(demo + pic));
  CHECK(test::run_command(cli::run_explain, {"ordgrad", "explain", "--list"}) == 0);
  CHECK(test::run_command(cli::run_explain, {"ordgrad", "explain", "--curves", "--classes", "10", "--label", "4", "--losses",
                               "ce;coral;corn;clm:link=probit;reg_l1", "--plot", tmp.file("curves.svg")}) == 0);
}

TEST_CASE("bad image data: a corrupt PNG, a label outside the classes, a missing manifest") {
  test::TempDir tmp;
  const std::string data = tmp.file("data");
  REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", data, "--n", "64", "--quiet"}) == 0);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", tmp.file("nothing"), "--out", tmp.file("r")}),
                       doctest::Contains("unknown data"), Error);
  {  // truncate one image listed in the manifest
    std::FILE* f = std::fopen((data + "/images/000003.png").c_str(), "r+b");
    REQUIRE(f);
    REQUIRE(ftruncate(fileno(f), 20) == 0);
    std::fclose(f);
  }
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--out",
                                            tmp.file("r"), "--quiet"}),
                       doctest::Contains("000003.png"), Error);
  CHECK_FALSE(fs::exists(tmp.file("r") + "/model.ogm"));
}

TEST_CASE("gradcheck passes every loss of the spec language") {
  for (const char* spec : {"ce", "rps", "ev_l2", "cum_bce", "cdw_ce:alpha=2", "sord", "gauss_ld:sigma=2", "mean_var",
                           "coral", "corn", "clm", "clm:link=probit", "reg_l2", "total_nll:group=3", "total_crps:group=4+rps"}) {
    INFO(spec);
    CHECK(test::run_command(cli::run_gradcheck, {"ordgrad", "gradcheck", "--loss", spec}) == 0);
  }
  CHECK_THROWS_AS(test::run_command(cli::run_gradcheck, {"ordgrad", "gradcheck", "--loss", "total_nll:group=3", "--batch", "4"}), Error);
}

// The `ordgrad` binary itself (make test passes its path in ORDGRAD_BIN): exit codes
// and the one-line errors of main.cpp.
TEST_CASE("the ordgrad binary: unknown subcommand, unknown flag, bad loss, --help") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  auto sh = [&](const std::string& args, std::string& err) {
    return test::run_binary(bin, args, tmp.file("err"), err);
  };
  std::string err;
  CHECK(sh("frobnicate", err) == 1);
  CHECK(err.rfind("ordgrad: unknown command 'frobnicate'", 0) == 0);
  CHECK(sh("train --epochz 3", err) == 1);
  CHECK(err == "ordgrad: train: unknown flag --epochz (see ordgrad train --help)\n");
  CHECK(sh("explain --loss hinge --logits 1,2 --label 0", err) == 1);
  CHECK(err.find("unknown loss 'hinge'") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);  // one line
  CHECK(sh("eval --model " + tmp.file("missing.ogm"), err) == 1);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(sh("train --help", err) == 0);
  CHECK(sh("--help", err) == 0);
}
