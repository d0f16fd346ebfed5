#include "claims/arda2026/common.hpp"

#include <algorithm>

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
  p.data.y = model::teacher_labels(p.teacher, p.data, o.pool, pool_rng, o.threads);
  p.max_abs_label = p.data.y.cwiseAbs().maxCoeff();
  return p;
}

double max_U0_norm(const model::transformer_params& phi0) {
  return phi0.U.colwise().norm().maxCoeff();
}

namespace {

// Memory of transformer.cpp's batched kernels for m heads on n samples (one workspace): packed
// copies of phi and of a direction (heads padded to the widest vector, 8 lanes), the per-chunk
// gradients of the gradient kinds (chunk_count: up to 32 chunks of >= 32 samples while they
// fit in 4M doubles = 32 MB, at least one), and one worker's buffers (S = 8 samples of 3 + 2d
// outputs per head, plus d + 2T lanes). Concurrent runs share the jobs' workers: one per run.
double batched_bytes(double d, double T, double n, double m, bool gradients) {
  const double packed = (1 + d + d * d) * std::ceil(m / 8) * 8;  // doubles
  const double chunks = std::min({32.0, std::max(1.0, std::ceil(n / 32)),
                                  std::max(1.0, std::floor(4194304.0 / packed))});
  const double worker = 8 * std::ceil(m / 8) * 8 * (3 + 2 * d) + 8 * (d + 2 * T);
  return 8.0 * (2 * packed + (gradients ? chunks * packed : 0.0) + worker);
}

}  // namespace

double problem_bytes(double d, double T, double n, double m, double pool) {
  const double data = 8.0 * d * T * n;
  const double params = 8.0 * (d * d * m + d * m + m) * 8;  // phi0, phi, grad, best, average, ...
  const double workspace = 8.0 * (4 * T * m + 4 * d * m) + batched_bytes(d, T, n, m, true);
  // teacher_labels: draws and directions as heads (blocks of <= 65536) and a forward workspace.
  const double draws = std::min(pool, 65536.0);
  const double labels = pool > 0 ? 8.0 * 2 * (1 + d + d * d) * draws + batched_bytes(d, T, n, draws, false) : 0.0;
  return data + params + std::max(workspace, labels);
}

nlohmann::json worst_config(const std::string& what, double value, std::uint64_t seed,
                            nlohmann::json config) {
  config["what"] = what;
  config["value"] = value;
  config["seed"] = seed;
  return config;
}

}  // namespace attnbound::claims::arda2026
