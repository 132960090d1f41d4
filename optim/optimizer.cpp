// optimizer.cpp — parameter checks and state-tensor helpers shared by the optimisers.
#include "optim/optimizer.h"

#include "core/check.h"

namespace og {

void check_params(const char* op, const std::vector<NamedParam>& params) {
  for (const NamedParam& p : params) {
    OG_CHECK(p.param != nullptr, op, ": parameter '", p.name, "' is null");
    OG_CHECK(p.param->grad.defined() && p.param->grad.shape() == p.param->value.shape(), op,
             ": parameter '", p.name, "' has value ", p.param->value.shape(), " but grad ",
             p.param->grad.shape());
  }
}

void zero_grads(const std::vector<NamedParam>& params) {
  for (const NamedParam& p : params) p.param->grad.fill(0.0f);
}

Optimizer::Optimizer(const char* op, std::vector<NamedParam> params, float lr_)
    : lr(lr_), params_(std::move(params)) {
  OG_CHECK(lr >= 0.0f, op, ": learning rate ", lr, " must be >= 0");
  check_params(op, params_);
}

std::vector<Tensor> Optimizer::zeros_like_params() const {
  std::vector<Tensor> out;
  out.reserve(params_.size());
  for (const NamedParam& p : params_) out.push_back(Tensor::zeros(p.param->value.shape()));
  return out;
}

std::vector<NamedTensor> Optimizer::named(const std::string& prefix,
                                          std::vector<Tensor>& tensors) const {
  std::vector<NamedTensor> out;
  for (size_t k = 0; k < tensors.size(); ++k)
    out.push_back({prefix + "." + params_[k].name, &tensors[k]});
  return out;
}

}  // namespace og
