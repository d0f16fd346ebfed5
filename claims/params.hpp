// Named parameters of claims, experiments and bounds: `-p key=value` on the command line,
// validated against a declared domain so that bad input gives one clear line and exit 2.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnbound::claims {

/// Bad user input (unknown id or key, malformed or out-of-domain value, unreadable file).
/// The CLI prints what() on one line and exits 2.
struct bad_input : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class param_kind { integer, even_integer, real, probability, integer_list, even_integer_list, real_list };

/// One parameter's domain. Reals are finite; bounds are inclusive unless `open`.
struct param_spec {
  std::string key;
  param_kind kind = param_kind::real;
  std::string quick;  // default in the quick profile (decimal string, or comma list)
  std::string full;   // default in the full profile (the paper's scale)
  double min = 0, max = 0;
  std::string help;
  /// Lists: the fewest distinct values (3 for a slope fit: two points give no CI).
  int min_items = 1;
};

/// Parsed values: every parameter as its exact decimal text and as doubles.
struct param_values {
  std::map<std::string, std::string> text;
  std::map<std::string, std::vector<double>> values;
  double get(const std::string& key) const;
  int get_int(const std::string& key) const;
  const std::vector<double>& list(const std::string& key) const;
  /// Largest value of a (list) parameter.
  double max(const std::string& key) const;
  std::vector<int> int_list(const std::string& key) const;
};

/// Strict decimal number syntax ([+-]digits[.digits][e[+-]digits]); rejects nan, inf, hex.
bool is_decimal_number(const std::string& s);

/// Splits "key=value"; throws bad_input when malformed.
std::pair<std::string, std::string> split_assignment(const std::string& kv);

/// Resolves defaults (by profile) and overrides; validates keys and every value's domain.
/// `what` names the claim/bound in messages.
param_values resolve_params(const std::string& what, const std::vector<param_spec>& specs,
                            const std::vector<std::string>& overrides, bool full_profile);

std::string describe_kind(param_kind k);

}  // namespace attnbound::claims
