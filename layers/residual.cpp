// residual.cpp — body(x) + shortcut(x) (see residual.h).
#include "layers/residual.h"

#include "core/ops.h"

namespace og {

Residual::Residual(std::unique_ptr<Sequential> body, std::unique_ptr<Module> proj)
    : body_(std::move(body)), proj_(std::move(proj)) {
  OG_CHECK(body_ != nullptr, "residual: the body must not be empty");
}

Var Residual::forward(Var x) {
  Var y = body_->forward(x);
  Var shortcut = proj_ ? proj_->forward(x) : x;
  OG_CHECK(y.shape() == shortcut.shape(), "residual: the body gives ", y.shape(), " but the shortcut ",
           shortcut.shape(), " (a projection is needed where the shape changes)");
  return fuse_relu ? add_relu(y, shortcut) : add(y, shortcut);
}

std::string Residual::describe() const {
  return "residual(" + body_->describe() + (proj_ ? ", proj " + proj_->describe() : std::string()) +
         (fuse_relu ? ", relu)" : ")");
}

void Residual::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  body_->visit_params(prefix + "body.", out);
  if (proj_) proj_->visit_params(prefix + "proj.", out);
}

void Residual::visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) {
  body_->visit_buffers(prefix + "body.", out);
  if (proj_) proj_->visit_buffers(prefix + "proj.", out);
}

}  // namespace og
