// export.cpp — `ordgrad export --model M --format safetensors --out FILE`: a model file
// in a format other programs read (model/weights.h; docs/export.md). The file is written
// through a temporary file and a rename.
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/weights.h"

namespace og::cli {

int run_export(int argc, char** argv) {
  Args a("export", {
                       {"model", "", "model file to export (model.ogm, best.ogm, a checkpoint, or a .safetensors)"},
                       {"format", "safetensors", "safetensors: every parameter and buffer by name, the model's metadata in __metadata__"},
                       {"out", "", "file to write"},
                       {"quiet", "", "print nothing", true},
                   });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "export: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(!a.str("model").empty() && !a.str("out").empty(), "export: --model FILE and --out FILE are required");
  const std::string format = a.str("format");
  OG_CHECK(format == "safetensors", "export: unknown --format '", format, "' (known: safetensors)");
  const Model m = load_model(a.str("model"));
  const SafeTensors s = model_safetensors(m);
  save_safetensors(a.str("out"), s);
  if (!a.flag("quiet"))
    std::printf("wrote %s: %zu tensors, %zu metadata entries (safetensors)\n", a.str("out").c_str(),
                s.tensors.size(), s.metadata.size());
  return 0;
}

}  // namespace og::cli
