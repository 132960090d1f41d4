// predict_total.cpp — load a saved model, predict the total count of a group of
// images and print its 80% interval.
//
//   predict_total MODEL.ogm DATA_DIR [G]
// takes the first G (default 8) images of DATA_DIR/test.csv (e.g. written by
// train_cnn or `ordgrad gen-counts`), decoded at the size the model was trained on.
// Build: g++ -O2 predict_total.cpp $(pkg-config --cflags --libs ordgrad) -o predict_total
#include <cstdio>
#include <cstdlib>
#include <string>

#include <ordgrad/ordgrad.h>

int main(int argc, char** argv) try {
  if (argc < 3) {
    std::fprintf(stderr, "usage: predict_total MODEL.ogm DATA_DIR [G]\n");
    return 2;
  }
  const int G = argc > 3 ? std::atoi(argv[3]) : 8;
  og::Model model = og::load_model(argv[1]);  // the file describes its network, input and loss
  og::require_total_head(model.info, "predict_total");

  const og::Shape& in = model.info.input;  // [channels, height, width]
  og::DataOptions opt;
  opt.classes = model.info.classes;
  opt.channels = int(in[0]), opt.height = int(in[1]), opt.width = int(in[2]);
  og::NamedData test = og::load_named(std::string(argv[2]) + ":test", "test", opt);
  OG_CHECK(test.data.size() >= G, "predict_total: ", argv[2], " has ", test.data.size(), " test images, fewer than ", G);
  std::vector<int64_t> first(G);
  for (int i = 0; i < G; ++i) first[i] = i;
  og::Dataset group = og::subset(test.data, first, 0, G);
  og::prepare_inputs(group.x, model.info);

  // Each image's class probabilities; the total's distribution is their convolution.
  const og::Tensor probs = og::predict_probs(model, group.x);
  const og::TotalForecast f = og::forecast_totals(probs, G).at(0);
  int truth = 0;
  for (int i = 0; i < G; ++i) {
    truth += group.y[i];
    std::printf("%-40s label %2d\n", test.paths[i].c_str(), group.y[i]);
  }
  std::printf("total of %d images: predicted %d (mean %.1f), 80%% interval %d..%d; true total %d\n", G,
              f.p80.median, f.p80.mean, f.p80.lo, f.p80.hi, truth);
  return 0;
} catch (const og::Error& e) {
  std::fprintf(stderr, "predict_total: %s\n", e.what());
  return 1;
}
