// Domain checks shared by the closed forms of bounds/: a bound is evaluated only where its
// hypotheses hold, and an argument outside them is std::domain_error("<what>: <name> must be ...")
// (the CLI maps it to one line and exit 2). For an enclosure every point must satisfy the
// condition; a NaN fails it.
#pragma once

#include <stdexcept>
#include <string>

#include "bounds/common/scalar.hpp"

namespace attnbound::bounds {

template <class S>
void require_positive(const S& x, const char* what, const char* name) {
  if (!(lower(x) > 0)) throw std::domain_error(std::string(what) + ": " + name + " must be > 0");
}

template <class S>
void require_nonnegative(const S& x, const char* what, const char* name) {
  if (!(lower(x) >= 0)) throw std::domain_error(std::string(what) + ": " + name + " must be >= 0");
}

}  // namespace attnbound::bounds
