// export.cpp — `ordgrad export --model M --format safetensors --out FILE`: a model file
// in a format other programs read (model/weights.h; docs/export.md). The file is written
// through a temporary file and a rename.
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/atomic_file.h"
#include "model/onnx.h"
#include "model/weights.h"

namespace og::cli {

int run_export(int argc, char** argv) {
  Args a("export", {
                       {"model", "", "model file to export (model.ogm, best.ogm, a checkpoint, or a .safetensors)"},
                       {"format", "safetensors", "safetensors: every parameter and buffer by name, the model's metadata in __metadata__; onnx: the inference graph, input to class probabilities (opset 13)"},
                       {"out", "", "file to write"},
                       {"quiet", "", "print nothing", true},
                   });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "export: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(!a.str("model").empty() && !a.str("out").empty(), "export: --model FILE and --out FILE are required");
  const std::string format = a.str("format");
  OG_CHECK(format == "safetensors" || format == "onnx", "export: unknown --format '", format,
           "' (known: safetensors, onnx)");
  Model m = load_model(a.str("model"));
  if (format == "onnx") {
    const std::string bytes = onnx_bytes(m);
    const std::string err = write_file_atomic(a.str("out"), bytes.data(), bytes.size(), Sync::durable);
    OG_CHECK(err.empty(), err);
    std::string dims;
    for (int i = 0; i < m.info.input.nd; ++i) dims += cat(",", m.info.input[i]);
    if (!a.flag("quiet"))
      std::printf("wrote %s: ONNX opset 13, input [N%s], output probabilities [N,%d] (%s head)\n",
                  a.str("out").c_str(), dims.c_str(), m.info.classes, head_name(m.info.head()));
    return 0;
  }
  const SafeTensors s = model_safetensors(m);
  save_safetensors(a.str("out"), s);
  if (!a.flag("quiet"))
    std::printf("wrote %s: %zu tensors, %zu metadata entries (safetensors)\n", a.str("out").c_str(),
                s.tensors.size(), s.metadata.size());
  return 0;
}

}  // namespace og::cli
