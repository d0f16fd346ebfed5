// GoogleTest check for claim results: every floating-point number in a JSON tree is finite.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

namespace attnbound::test {

/// EXPECT that every float in j is finite; a failure names its path below `where`.
inline void expect_finite_numbers(const nlohmann::json& j, const std::string& where) {
  if (j.is_number_float()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << where;
  } else if (j.is_structured()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      expect_finite_numbers(*it, where + "/" + (j.is_object() ? it.key() : std::string("[]")));
  }
}

}  // namespace attnbound::test
