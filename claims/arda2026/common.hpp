// Shared pieces of the Arda et al. 2026 claims: certified bound evaluation (MPFI), the
// teacher-student problem of section 6.1, and the paper citation.
#pragma once

#include <cmath>
#include <cstdint>
#include <mutex>
#include <type_traits>

#include <fmt/format.h>
#include <string>

#include <nlohmann/json.hpp>

#include "bounds/arda2026/config.hpp"
#include "bounds/common/scalar.hpp"
#include "claims/claim.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace attnbound::claims::arda2026 {

inline const char* paper = "Arda, Cayci & Eryilmaz 2026 (arXiv 2601.16514)";

/// A parameter given as a double, as Scalar: for the multiprecision types through its shortest
/// round-trip decimal ("0.05"), so an enclosure covers the decimal the user wrote, not the
/// nearest double.
template <class Scalar>
Scalar from_decimal(double x) {
  if constexpr (std::is_same_v<Scalar, double>) return x;
  else return Scalar(fmt::format("{}", x));
}

/// Bound configuration in the claim's units; converted to any Scalar.
struct bound_setup {
  int d = 8;
  long long m = 64, n = 4000, tau = 4000;
  double delta = 0.05, delta_prime = 0.05, rho = 3, nu = 3, eta_factor = 1;
  long long pool = 0;
  double delta_pool = 1e-3;
  template <class Scalar>
  bounds::arda2026::config<Scalar> as() const {
    bounds::arda2026::config<Scalar> c;
    c.d = d, c.m = Scalar(m), c.n = Scalar(n), c.tau = Scalar(tau);
    c.delta = from_decimal<Scalar>(delta), c.delta_prime = from_decimal<Scalar>(delta_prime);
    c.rho_c = c.rho_u = c.rho_w = from_decimal<Scalar>(rho);
    c.nu_c = c.nu_u = c.nu_w = from_decimal<Scalar>(nu);
    c.eta_factor = from_decimal<Scalar>(eta_factor);
    c.pool = Scalar(pool), c.delta_pool = from_decimal<Scalar>(delta_pool);
    return c;
  }
};

/// A certified bound value: `check` is the lower end of the MPFI enclosure (a measured value
/// passes only if <= check), `report` its upper end.
struct certified {
  double check = 0, report = 0;
};

/// Boost 1.74 keeps the default MPFR/MPFI precision in one process-wide variable; certify()
/// holds this lock while it sets and uses it, so parallel runs cannot change each other's.
inline std::mutex& mp_precision_mutex() {
  static std::mutex m;
  return m;
}

/// Evaluates `f(config<mp_interval>)` at 30 digits and returns its enclosure's ends, rounded
/// outward to double.
template <class F>
certified certify(const bound_setup& s, F&& f) {
  std::lock_guard<std::mutex> lock(mp_precision_mutex());
  precision_guard guard(30);
  const mp_interval v = f(s.as<mp_interval>());
  const mp_real lo = lower(v), hi = upper(v);
  double lo_d = lo.convert_to<double>(), hi_d = hi.convert_to<double>();
  if (mp_real(lo_d) > lo) lo_d = std::nextafter(lo_d, -HUGE_VAL);
  if (mp_real(hi_d) < hi) hi_d = std::nextafter(hi_d, HUGE_VAL);
  return {lo_d, hi_d};
}

/// Teacher-student problem (spec 5.1): clipped Gaussian tokens (or antipodal tokens for the
/// hard setting), a transport-map teacher from R anchors, labels over a pool of P draws.
struct teacher_problem {
  model::sequence_data data;
  model::transport_map teacher;
  double max_abs_label = 0;
};

struct teacher_options {
  int d = 8, T = 16, n = 4000, R = 16, pool = 8192;
  double nu = 3;
  bool hard = false;  // antipodal tokens, one anchor, full-norm features (spec 4.9a)
  model::mixture_weights weights = model::mixture_weights::random_signs;
  int threads = 1;  // for the pool labels (teacher_labels); never changes a result
};

teacher_problem make_teacher_problem(const teacher_options& o, std::uint64_t seed,
                                     std::uint64_t problem_index);

/// max_i ||U_i^(0)||: the event E_U of Definition 1 holds when <= B_U0.
double max_U0_norm(const model::transformer_params& phi0);

/// Bytes of a teacher problem plus one model's training state (for memory refusal): the data,
/// the parameter copies of a run, the batched kernels' packed copies (phi and a direction),
/// their per-chunk gradients (at most 32 MB, or one gradient when that is larger) and one
/// worker's buffers; with `pool` > 0 also the pool labels' draws and directions (as heads).
double problem_bytes(double d, double T, double n, double m, double pool = 0);

nlohmann::json worst_config(const std::string& what, double value, std::uint64_t seed,
                            nlohmann::json config);

}  // namespace attnbound::claims::arda2026
