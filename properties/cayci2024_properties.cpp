// Property-based checks (rapidcheck) of the IndRNN's recurrent constant (bounds/cayci2024,
// reconstructed; NOTES.md there) against the IndRNN of model/indrnn (Arda et al. 2026 section
// 6.2, Cayci & Eryilmaz 2024). Small integers are drawn and scaled to reals so shrinking stays
// meaningful; the model streams are seeded from a drawn seed and every configuration is logged
// with RC_LOG. Inequalities pass only when measured <= the lower end of the bound's MPFI
// enclosure (claims::arda2026::enclose).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <Eigen/Dense>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <cstdint>

#include "bounds/cayci2024/gradient.hpp"
#include "claims/arda2026/recurrent_training.hpp"
#include "model/indrnn.hpp"
#include "model/rng.hpp"

namespace {

namespace bc = attnbound::bounds::cayci2024;
namespace cl = attnbound::claims::arda2026;
namespace md = attnbound::model;
using attnbound::mp_interval;
using Eigen::Index;

double uniform_pm1(md::rng_t& rng) {
  boost::random::uniform_01<double> u;
  return 2 * u(rng) - 1;
}

/// For any IndRNN in the ball |u_i - u_i0| <= rho_u/sqrt m, |c_i - c_i0| <= rho_c/sqrt m around
/// a symmetric initialization with |u_i0| = u0, any W_in, any (unnormalized) tokens and labels:
///   ||grad_u f(X_j)|| <= sigma0 sigma1 (1 + rho_c/sqrt m) Lambda_T      (NOTES.md 2.2)
///   ||grad_u L_n||    <= 2 sqrt(L_n) sigma0 sigma1 (1 + rho_c/sqrt m) Lambda_T   (2.3)
RC_GTEST_PROP(Cayci2024Property, RecurrentGradientWithinLambdaBound, ()) {
  const int d = *rc::gen::inRange(1, 5), m = 2 * *rc::gen::inRange(1, 5), T = *rc::gen::inRange(1, 61),
            n = *rc::gen::inRange(1, 5);
  const double u0 = *rc::gen::inRange(0, 9) / 4.0;     // |u_i0| in [0, 2]
  const double rho_u = *rc::gen::inRange(0, 9) / 4.0;  // radii in [0, 2]
  const double rho_c = *rc::gen::inRange(0, 9) / 4.0;
  const double scale = std::ldexp(1.0, *rc::gen::inRange(-4, 4));  // token scale, not clipped
  const std::uint64_t seed = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 32);
  RC_LOG() << "d=" << d << " m=" << m << " T=" << T << " n=" << n << " u0=" << u0 << " rho_u=" << rho_u
           << " rho_c=" << rho_c << " scale=" << scale << " seed=" << seed;
  auto rng = md::make_rng(seed, "cayci2024-property");
  md::indrnn_params phi = md::indrnn_symmetric_init(d, m, u0, rng);
  const double s = 1 / std::sqrt(static_cast<double>(m));
  for (int i = 0; i < m; ++i) {
    phi.u(i) += rho_u * s * uniform_pm1(rng);
    phi.c(i) += rho_c * s * uniform_pm1(rng);
    for (int k = 0; k < d; ++k) phi.W_in(i, k) += md::standard_normal(rng);
  }
  md::sequence_data data;
  data.d = d, data.T = T, data.n = n;
  data.X.resize(d, static_cast<Index>(T) * n);
  for (Index k = 0; k < data.X.size(); ++k) data.X.data()[k] = scale * md::standard_normal(rng);
  data.y.resize(n);
  for (int j = 0; j < n; ++j) data.y(j) = md::standard_normal(rng);

  const auto bound = cl::enclose([&] {
    bc::config<mp_interval> c;
    c.T = T, c.m = mp_interval(m), c.u_max = mp_interval(u0);
    c.rho_u = mp_interval(rho_u), c.rho_c = mp_interval(rho_c);
    c.sigma = attnbound::bounds::tanh_constants<mp_interval>();
    return bc::grad_u_f_bound(c);
  });
  md::indrnn_workspace ws;
  md::indrnn_params g;
  for (int j = 0; j < n; ++j) {
    md::gradient_one(phi, data, j, g, ws);
    RC_LOG() << "||grad_u f(X_" << j << ")|| = " << g.u.norm() << ", bound " << bound.check;
    RC_ASSERT(g.u.norm() <= bound.check);
  }
  const double L = md::loss_and_gradient(phi, data, {}, g, ws);
  RC_ASSERT(g.u.norm() <= 2 * std::sqrt(L) * bound.check * (1 + 1e-14));  // 1e-14: sqrt(L) rounding
}

/// Lambda_T (hence the bound) increases in T (for alpha > 0) and in alpha (for T > 1); below the
/// cutoff it stays under 1/(1 - alpha), and at alpha = 1 it equals T.
RC_GTEST_PROP(Cayci2024Property, LambdaMonotoneAndRegimes, ()) {
  const int T = *rc::gen::inRange(1, 400);
  const double a = *rc::gen::inRange(0, 400) / 200.0;  // alpha in [0, 2)
  RC_LOG() << "T=" << T << " alpha=" << a;
  attnbound::precision_guard guard(30);
  const mp_interval A(a), L1 = bc::geometric_sum(A, T), L2 = bc::geometric_sum(A, T + 1);
  const mp_interval B = bc::geometric_sum(mp_interval(a + 0.005), T);
  if (a == 0) RC_ASSERT(attnbound::lower(L1) == 1 && attnbound::upper(L2) == 1);  // Lambda = 1
  else if (T * std::log10(a) > -25)  // the step alpha^T is visible at 30 digits: strictly larger
    RC_ASSERT(attnbound::upper(L1) < attnbound::lower(L2));
  else
    RC_ASSERT(attnbound::lower(L1) <= attnbound::lower(L2) && attnbound::upper(L1) <= attnbound::upper(L2));
  if (T > 1) RC_ASSERT(attnbound::upper(L1) < attnbound::lower(B));
  // 1/(1 - alpha) - Lambda_T = alpha^T/(1 - alpha): strict where visible at 30 digits.
  if (a > 0 && a < 1) {
    if (T * std::log10(a) > -25) RC_ASSERT(attnbound::upper(L1) < attnbound::lower(1 / (1 - A)));
    else RC_ASSERT(attnbound::lower(L1) <= attnbound::upper(1 / (1 - A)));
  }
  RC_ASSERT(bc::regime(A) == (a < 1 ? -1 : a > 1 ? 1 : 0));
  if (a == 1) RC_ASSERT(attnbound::lower(L1) == T && attnbound::upper(L1) == T);
}

}  // namespace
