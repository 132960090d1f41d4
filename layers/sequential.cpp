// sequential.cpp — chaining children and prefixing their names (see sequential.h).
#include "layers/sequential.h"

namespace og {

Sequential& Sequential::add(std::unique_ptr<Module> m) {
  OG_CHECK(m != nullptr, "sequential: cannot add an empty module at position ", children_.size());
  children_.push_back(std::move(m));
  return *this;
}

Var Sequential::forward(Var x) {
  for (auto& m : children_) x = m->forward(x);
  return x;
}

std::string Sequential::describe() const {
  std::string s = "sequential(";
  for (size_t i = 0; i < children_.size(); ++i) s += (i ? ", " : "") + children_[i]->describe();
  return s + ")";
}

void Sequential::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  for (size_t i = 0; i < children_.size(); ++i)
    children_[i]->visit_params(prefix + std::to_string(i) + ".", out);
}

void Sequential::visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) {
  for (size_t i = 0; i < children_.size(); ++i)
    children_[i]->visit_buffers(prefix + std::to_string(i) + ".", out);
}

Module& Sequential::at(size_t i) {
  OG_CHECK(i < children_.size(), "sequential: index ", i, " out of range for ", children_.size(),
           " modules");
  return *children_[i];
}

}  // namespace og
