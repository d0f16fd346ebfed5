#include "claims/params.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace attnbound::claims {

bool is_decimal_number(const std::string& s) {
  static const std::regex re(R"(^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$)");
  return s.size() < 200 && std::regex_match(s, re);
}

std::pair<std::string, std::string> split_assignment(const std::string& kv) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw bad_input(fmt::format("parameter '{}' is not of the form key=value", kv));
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

std::string describe_kind(param_kind k) {
  switch (k) {
    case param_kind::integer: return "integer";
    case param_kind::even_integer: return "even integer";
    case param_kind::real: return "real";
    case param_kind::probability: return "probability in (0,1)";
    case param_kind::integer_list: return "comma-separated integers";
    case param_kind::even_integer_list: return "comma-separated even integers";
    case param_kind::real_list: return "comma-separated reals";
  }
  return "?";
}

double param_values::get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty()) throw std::logic_error("missing parameter " + key);
  return it->second.front();
}
int param_values::get_int(const std::string& key) const { return static_cast<int>(std::llround(get(key))); }
const std::vector<double>& param_values::list(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) throw std::logic_error("missing parameter " + key);
  return it->second;
}
double param_values::max(const std::string& key) const {
  const auto& v = list(key);
  return *std::max_element(v.begin(), v.end());
}
std::vector<int> param_values::int_list(const std::string& key) const {
  std::vector<int> out;
  for (double v : list(key)) out.push_back(static_cast<int>(std::llround(v)));
  return out;
}

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  if (!s.empty() && s.back() == ',') out.push_back("");
  return out;
}

double check_value(const std::string& what, const param_spec& spec, const std::string& text) {
  if (!is_decimal_number(text))
    throw bad_input(fmt::format("{}: {}='{}' is not a finite decimal number", what, spec.key, text));
  const double v = std::stod(text);
  if (!std::isfinite(v))
    throw bad_input(fmt::format("{}: {}='{}' is not finite", what, spec.key, text));
  const bool integral = spec.kind == param_kind::integer || spec.kind == param_kind::even_integer ||
                        spec.kind == param_kind::integer_list || spec.kind == param_kind::even_integer_list;
  if (integral && v != std::floor(v))
    throw bad_input(fmt::format("{}: {}={} must be an integer", what, spec.key, text));
  const bool even = spec.kind == param_kind::even_integer || spec.kind == param_kind::even_integer_list;
  if (even && std::fmod(v, 2.0) != 0.0)
    throw bad_input(fmt::format("{}: {}={} must be even",
                                what, spec.key, text));
  if (spec.kind == param_kind::probability) {
    if (!(v > 0 && v < 1))
      throw bad_input(fmt::format("{}: {}={} must lie in (0,1)", what, spec.key, text));
  } else if (v < spec.min || v > spec.max) {
    throw bad_input(fmt::format("{}: {}={} is outside [{}, {}]", what, spec.key, text,
                                fmt::format("{:g}", spec.min), fmt::format("{:g}", spec.max)));
  }
  return v;
}

}  // namespace

param_values resolve_params(const std::string& what, const std::vector<param_spec>& specs,
                            const std::vector<std::string>& overrides, bool full_profile) {
  std::map<std::string, std::string> given;
  for (const auto& kv : overrides) {
    auto [k, v] = split_assignment(kv);
    bool known = false;
    for (const auto& s : specs) known = known || s.key == k;
    if (!known) {
      std::string keys;
      for (const auto& s : specs) keys += (keys.empty() ? "" : ", ") + s.key;
      throw bad_input(fmt::format("{}: unknown parameter '{}' (known: {})", what, k, keys));
    }
    given[k] = v;
  }
  param_values out;
  for (const auto& s : specs) {
    const std::string text = given.count(s.key) ? given[s.key] : (full_profile ? s.full : s.quick);
    std::vector<double> vals;
    const bool is_list = s.kind == param_kind::integer_list || s.kind == param_kind::even_integer_list ||
                         s.kind == param_kind::real_list;
    const auto items = is_list ? split_list(text) : std::vector<std::string>{text};
    if (items.empty()) throw bad_input(fmt::format("{}: {} is empty", what, s.key));
    for (const auto& item : items) vals.push_back(check_value(what, s, item));
    if (is_list) {
      std::vector<double> sorted = vals;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
        throw bad_input(fmt::format("{}: {}={} repeats a value", what, s.key, text));
      if (static_cast<int>(vals.size()) < s.min_items)
        throw bad_input(fmt::format("{}: {}={} needs at least {} distinct values", what, s.key, text,
                                    s.min_items));
    }
    out.text[s.key] = text;
    out.values[s.key] = std::move(vals);
  }
  return out;
}

}  // namespace attnbound::claims
