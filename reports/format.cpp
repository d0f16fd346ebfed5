#include "reports/format.hpp"

#include <cmath>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <fmt/format.h>

namespace attnbound::reports {

std::string number_text(const nlohmann::json& v, int digits) {
  if (!v.is_number()) return "-";
  const double x = v.get<double>();
  if (!std::isfinite(x)) return "-";
  if (v.is_number_integer()) return v.dump();
  return fmt::format("{:.{}g}", x, digits);
}

std::string exact_text(const nlohmann::json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (!v.is_number() || !std::isfinite(v.get<double>())) return "null";
  return fmt::format("{}", v.get<double>());
}

std::string configuration_text(const nlohmann::json& worst) {
  if (!worst.is_object()) return "";
  std::string out;
  for (const auto& [k, v] : worst.items()) {
    if (k == "what" || k == "value" || k == "seed") continue;
    out += (out.empty() ? "" : ", ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

std::string replay_seed(const nlohmann::json& claim, const nlohmann::json& results) {
  if (claim.contains("worst") && claim.at("worst").is_object() && claim.at("worst").contains("seed") &&
      claim.at("worst").at("seed").is_number_integer())
    return claim.at("worst").at("seed").dump();
  if (results.contains("seed") && results.at("seed").is_number_integer()) return results.at("seed").dump();
  return "-";
}

std::string replay_command(const nlohmann::json& claim, const nlohmann::json& results) {
  std::string cmd = fmt::format("attnbound run {} --seed {}", claim.value("id", "?"), replay_seed(claim, results));
  if (claim.contains("params") && claim.at("params").is_object())
    for (const auto& [k, v] : claim.at("params").items())
      cmd += " -p " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return cmd;
}

std::string paper_prefix(const std::string& claim_id) { return claim_id.substr(0, claim_id.find('.')); }

std::string base64(const std::string& bytes) {
  using namespace boost::archive::iterators;
  using encoder = base64_from_binary<transform_width<std::string::const_iterator, 6, 8>>;
  // Encode a copy padded with zero bytes to whole 3-byte groups, then mark the padding '='.
  const std::size_t pad = (3 - bytes.size() % 3) % 3;
  const std::string padded = bytes + std::string(pad, '\0');
  std::string out(encoder(padded.begin()), encoder(padded.end()));
  out.replace(out.size() - pad, pad, pad, '=');
  return out;
}

std::string xml_safe(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s)
    if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') out += ch;
  return out;
}

}  // namespace attnbound::reports
