#include "claims/arda2026/common.hpp"

namespace attnbound::claims::arda2026 {

teacher_problem make_teacher_problem(const teacher_options& o, std::uint64_t seed,
                                     std::uint64_t problem_index) {
  const auto key = {static_cast<std::uint64_t>(o.d), static_cast<std::uint64_t>(o.T),
                    static_cast<std::uint64_t>(o.n), static_cast<std::uint64_t>(o.hard),
                    problem_index};
  auto data_rng = model::make_rng(seed, "arda2026-data", key);
  teacher_problem p;
  p.data.d = o.d, p.data.T = o.T, p.data.n = o.n;
  p.data.X = o.hard ? model::antipodal_tokens(o.d, o.T, o.n, data_rng)
                    : model::clipped_gaussian_tokens(o.d, o.T, o.n, data_rng);
  auto teacher_rng = model::make_rng(seed, "arda2026-teacher", key);
  p.teacher = model::make_transport_map(p.data, o.hard ? 1 : o.R, o.weights, o.nu, o.nu, o.nu,
                                        o.hard, teacher_rng);
  auto pool_rng = model::make_rng(seed, "arda2026-pool", key);
  p.data.y = model::teacher_labels(p.teacher, p.data, o.pool, pool_rng);
  p.max_abs_label = p.data.y.cwiseAbs().maxCoeff();
  return p;
}

double max_U0_norm(const model::transformer_params& phi0) {
  return phi0.U.colwise().norm().maxCoeff();
}

double problem_bytes(double d, double T, double n, double m) {
  const double data = 8.0 * d * T * n;
  const double params = 8.0 * (d * d * m + d * m + m) * 8;  // phi0, phi, grad, best, average, ...
  const double workspace = 8.0 * (4 * T * m + 4 * d * m);
  return data + params + workspace;
}

nlohmann::json worst_config(const std::string& what, double value, std::uint64_t seed,
                            nlohmann::json config) {
  config["what"] = what;
  config["value"] = value;
  config["seed"] = seed;
  return config;
}

}  // namespace attnbound::claims::arda2026
