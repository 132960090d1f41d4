// train_cnn.cpp — a CNN written in C++, trained on counting images with a composite
// ordinal loss through the library's fit loop.
//
//   train_cnn DIR [--quick]
// writes counting images to DIR/data (30 ordered labels: objects per image), trains,
// and leaves DIR/model.ogm, DIR/best.ogm, DIR/checkpoint.ogm and DIR/log.csv.
// Build: g++ -O2 train_cnn.cpp $(pkg-config --cflags --libs ordgrad) -o train_cnn
#include <cstdio>
#include <string>

#include <ordgrad/ordgrad.h>

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: train_cnn DIR [--quick]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const bool quick = argc > 2 && std::string(argv[2]) == "--quick";
  og::set_num_threads(2);

  og::CountingOptions data;  // n objects per 32x32 image, n = 0..29, long-tailed
  data.n = quick ? 800 : 6000;
  og::generate_counts(dir + "/data", data);
  og::DataOptions opt;
  opt.classes = 30;
  og::NamedData train = og::load_named(dir + "/data", "train", opt), val = og::load_named(dir + "/data", "val", opt);

  // The network, in code: two conv stages, a residual block, global pooling.
  og::Net net;
  net.conv(16, 3, 1, 1).relu().maxpool(2)
      .conv(32, 3, 1, 1).bn().relu()
      .res(og::Net().conv(32, 3, 1, 1).bn().relu().conv(32, 3, 1, 1).bn()).relu()
      .maxpool(2).gap().dense(64).relu();
  // Cross-entropy plus half the ranked probability score: rewards being close.
  og::ModelInfo info{net.text(), train.input, "ce+0.5*rps", 30, train.norm_mean, train.norm_std, {}, {}, 0};
  og::Model model = og::make_model(info, /*seed=*/1);
  og::prepare_inputs(train.data.x, model.info);
  og::prepare_inputs(val.data.x, model.info);

  og::TrainOptions to;
  to.optimizer = "adam";
  to.lr = 2e-3f;
  to.epochs = quick ? 2 : 10;
  to.schedule = "cosine";
  og::Trainer trainer(model, to);
  og::FitOptions fo;
  fo.out = dir;         // model.ogm, best.ogm, checkpoint.ogm, log.csv
  fo.patience = 3;      // stop when the validation MAE has not improved for 3 epochs
  og::FitCallbacks cb;
  cb.on_epoch = [](const og::EpochReport& r) {
    std::printf("epoch %ld: train loss %.4f, val loss %.4f, val MAE %.3f%s\n", static_cast<long>(r.train.epoch),
                r.train.loss, r.heldout_loss, r.heldout_mae, r.best ? " (best)" : "");
  };
  const og::FitResult res = og::fit(trainer, train.data, &val.data, fo, cb);
  std::printf("%s\nbest val MAE %.3f at epoch %ld; saved %s/model.ogm\n", model.info.architecture.c_str(),
              res.best_value, static_cast<long>(res.best_epoch), dir.c_str());
  return res.history.empty() ? 1 : 0;
} catch (const og::Error& e) {
  std::fprintf(stderr, "train_cnn: %s\n", e.what());
  return 1;
}
