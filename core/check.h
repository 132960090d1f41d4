// check.h — the one error type of ordgrad, and the macro that raises it.
//
// Every user-facing misuse (shape mismatch, label out of range, bad file, unknown
// option) throws og::Error whose message names the op and the shapes involved:
//   "add: shapes [2,3] and [3,2] do not broadcast"
// The library never prints and never exits; the CLI catches og::Error, prints its
// one line and exits non-zero.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace og {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Concatenate any streamable pieces into one string: cat("x=", 3, " ", shape).
template <class... A>
std::string cat(const A&... pieces) {
  std::ostringstream s;
  (s << ... << pieces);
  return s.str();
}

}  // namespace og

// OG_CHECK(cond, pieces...): throw og::Error(cat(pieces...)) when cond is false.
#define OG_CHECK(cond, ...) \
  do {                      \
    if (!(cond)) throw ::og::Error(::og::cat(__VA_ARGS__)); \
  } while (0)
