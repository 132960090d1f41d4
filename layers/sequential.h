// sequential.h — a chain of modules: y = m_{k-1}( ... m_1(m_0(x)) ).
//
// Sequential owns its children. Parameter and buffer names are prefixed with the
// child's position, "0.weight", "2.running_mean", and nest ("1.0.weight" for a
// Sequential inside a Sequential), which is what optimisers and checkpoints key on.
// It records nothing itself: each child records its own nodes.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/module.h"

namespace og {

class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential& add(std::unique_ptr<Module> m);  // returns *this, so adds chain
  template <class M, class... A>
  M& emplace(A&&... args) {  // construct a child in place and return it
    auto m = std::make_unique<M>(std::forward<A>(args)...);
    M& ref = *m;
    add(std::move(m));
    return ref;
  }

  Var forward(Var x) override;
  std::string describe() const override;  // "sequential(linear(4->8), relu, linear(8->3))"
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;
  void visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) override;

  size_t size() const { return children_.size(); }
  Module& operator[](size_t i) { return *children_[i]; }  // unchecked
  Module& at(size_t i);                                   // throws og::Error when out of range

 private:
  std::vector<std::unique_ptr<Module>> children_;
};

}  // namespace og
