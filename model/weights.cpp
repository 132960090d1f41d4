// weights.cpp — models as safetensors files (see weights.h).
#include "model/weights.h"

#include "core/serialize.h"
#include "core/version.h"
#include "model/heads.h"

namespace og {

SafeTensors model_safetensors(const Model& m) {
  Checkpoint ck;
  put_model(ck, m);
  SafeTensors s;
  s.metadata = ck.meta;
  s.metadata["head"] = head_name(m.info.head());
  s.metadata["ordgrad_version"] = kVersion;
  for (auto& [name, t] : ck.tensors) {
    std::string plain = name;
    for (const char* prefix : {"param.", "buffer."})
      if (plain.rfind(prefix, 0) == 0) plain = plain.substr(std::string(prefix).size());
    s.tensors.emplace_back(plain, t);
  }
  return s;
}

Model model_from_safetensors(const SafeTensors& s, const std::string& who) {
  Checkpoint ck;
  ck.source = who;
  ck.meta = s.metadata;
  OG_CHECK(ck.meta.count("format") && ck.meta.at("format") == "ordgrad-model", who,
           ": safetensors file without ordgrad's __metadata__ (format, architecture, input, classes, loss); "
           "write it with ordgrad export, or keep that metadata when saving it elsewhere");
  ck.tensors = s.tensors;
  return get_model(ck, false);
}

Checkpoint checkpoint_of(const SafeTensors& s, const std::string& who) {
  const Model m = model_from_safetensors(s, who);
  Checkpoint ck;
  put_model(ck, m);
  for (const auto& [k, v] : s.metadata) ck.meta.emplace(k, v);  // the model's own keys win
  ck.source = who;
  return ck;
}

void init_weights(Model& to, const std::string& path) {
  const Model from = load_model(path);
  OG_CHECK(from.info.architecture == to.info.architecture, path, ": holds architecture '", from.info.architecture,
           "', not '", to.info.architecture, "'");
  OG_CHECK(from.info.input == to.info.input && from.info.classes == to.info.classes, path, ": a model of input ",
           from.info.input, " and ", from.info.classes, " classes, not input ", to.info.input, " and ",
           to.info.classes, " classes");
  Checkpoint ck;
  put_model(ck, from);
  ck.source = path;
  get_tensors(ck, to.net->parameters(), "param.");
  get_tensors(ck, to.net->buffers(), "buffer.");
}

}  // namespace og
