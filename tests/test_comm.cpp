// One process's side of data-parallel training (core/comm.h): fingerprints that tell
// data and parameters apart, batch-norm updates deferred to a stat log and replayed to
// the same bits, and the MPI-free tool refusing to run as one of several processes.
// The collectives themselves run under a real mpirun in scripts/checks/mpi.sh.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "core/comm.h"
#include "io/dataset.h"
#include "io/stream.h"
#include "layers/batchnorm.h"
#include "model/model.h"
#include "tests/helpers.h"

using namespace og;

TEST_CASE("solo: one process, collectives are the identity, agreement always holds") {
  Comm& c = solo();
  CHECK(c.rank() == 0);
  CHECK(c.size() == 1);
  int v[2] = {3, -7};
  c.max(v, 2);
  CHECK((v[0] == 3 && v[1] == -7));
  uint64_t out = 0, mine = 42;
  c.gather(&mine, sizeof mine, &out);
  CHECK(out == 42);
  c.agree("train", "flags", 1234, "never");  // no throw
  if (!mpi_build()) CHECK(&world() == &solo());
}

TEST_CASE("fingerprint: one changed label, weight, pixel or path changes it") {
  Rng rng(1);
  Dataset d{test::randn({4, 3}, rng), {0, 1, 2, 1}, {}};
  const uint64_t base = fingerprint(d);
  CHECK(fingerprint(d) == base);
  Dataset label = d;
  label.y[3] = 2;
  CHECK(fingerprint(label) != base);
  Dataset weighted = d;
  weighted.weights = {1, 1, 1, 1};
  CHECK(fingerprint(weighted) != base);
  Dataset pixel{d.x.clone(), d.y, {}};
  pixel.x[5] = std::nextafter(pixel.x[5], 1e9f);
  CHECK(fingerprint(pixel) != base);
  auto src = std::make_shared<ImageSource>();
  src->paths = {"a.png", "b.png", "c.png", "d.png"};
  const Dataset streamed{Tensor(), d.y, {}, src};
  auto other = std::make_shared<ImageSource>(*src);
  other->paths[2] = "e.png";
  CHECK(fingerprint(streamed) != fingerprint(Dataset{Tensor(), d.y, {}, other}));
  CHECK(fingerprint(streamed) != base);
}

TEST_CASE("state_fingerprint: equal for the same seed, different after one step of change") {
  ModelInfo info;
  info.architecture = "mlp:8";
  info.input = Shape{4};
  info.classes = 3;
  info.loss = "ce";
  Model a = make_model(info, 5), b = make_model(info, 5), c = make_model(info, 6);
  CHECK(state_fingerprint(a) == state_fingerprint(b));
  CHECK(state_fingerprint(a) != state_fingerprint(c));
  b.net->parameters()[0].param->value[0] += 1e-6f;
  CHECK(state_fingerprint(a) != state_fingerprint(b));
}

TEST_CASE("batch norm with a stat log: running statistics wait, then replay to the same bits") {
  Rng rng(2);
  const Tensor x1 = test::randn({6, 3, 2, 2}, rng), x2 = test::randn({6, 3, 2, 2}, rng);
  BatchNorm now(3), later(3);
  {
    Graph g;
    now.forward(g.input(x1));
    now.forward(g.input(x2));
  }
  StatLog log;
  {
    Graph g;
    g.set_stat_log(&log);
    later.forward(g.input(x1));
    later.forward(g.input(x2));
  }
  CHECK(test::bit_equal(later.running_mean, Tensor::zeros({3})));  // untouched until applied
  CHECK(test::bit_equal(later.running_var, Tensor::full({3}, 1.0f)));
  REQUIRE(log.entries.size() == 2);
  REQUIRE(log.values.size() == 12);  // mean and variance of 3 channels, twice
  const float* v = log.values.data();
  for (const StatLog::Entry& e : log.entries) e.apply(v), v += e.count;
  CHECK(test::bit_equal(later.running_mean, now.running_mean));
  CHECK(test::bit_equal(later.running_var, now.running_var));
  CHECK(!test::bit_equal(now.running_mean, Tensor::zeros({3})));
}

TEST_CASE("the MPI-free tool started as one of several processes refuses, in one line from rank 0") {
  if (mpi_build()) return;
  const char* bin = test::ordgrad_binary();
  if (!bin) return;
  test::TempDir tmp;
  std::string err;
  CHECK(test::run_binary(bin, "", tmp.file("e0"), err) != 0);  // sanity: no command
  const std::string env0 = "env OMPI_COMM_WORLD_SIZE=4 OMPI_COMM_WORLD_RANK=0 ";
  CHECK(test::run_binary((env0 + bin).c_str(), "train --data demo --out " + tmp.file("r"), tmp.file("e1"), err) == 1);
  CHECK(err == "ordgrad: started as one of 4 processes (mpirun), but this ordgrad was built without MPI; build it "
               "with make MPI=1 (docs/distributed.md)\n");
  const std::string env1 = "env OMPI_COMM_WORLD_SIZE=4 OMPI_COMM_WORLD_RANK=3 ";
  CHECK(test::run_binary((env1 + bin).c_str(), "train --data demo --out " + tmp.file("r"), tmp.file("e2"), err) == 1);
  CHECK(err.empty());
  const std::string one = "env OMPI_COMM_WORLD_SIZE=1 OMPI_COMM_WORLD_RANK=0 ";
  CHECK(test::run_binary((one + bin).c_str(), "inspect --help", tmp.file("e3"), err) == 0);
}
