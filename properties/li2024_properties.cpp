// Property-based checks (rapidcheck) of the Li et al. 2024 model (spec
// li2024-signgd-two-layer-transformer.md sections 2 and 4.1, [reconstructed]) over random
// configurations: d = n s + 1 + extra, n 1..8, s 1..8, m_k, m_v 1..5, sigma0, sigma_p, ||mu||,
// eta drawn as small integers scaled to reals (so shrinking stays meaningful), and the seed of
// the data and initialization streams. Every configuration is logged with RC_LOG; CI runs
// with RC_PARAMS=seed=20260123.
//  - the spec 4.1 laws at every step of a short SignGD run on disjoint supports, wherever their
//    preconditions hold (every l'_i != 0, no softmax entry 0): value noise +2 eta ||xi_i||_1,
//    value signal +2 eta ||mu||_1, query/key noise -+eta sgn(l' A B), +eta sgn(l' A D) times
//    ||xi_i||_1, query/key signal -eta ||mu||_1 sgn(sum ...), to rounding
//    (1e-12 (1 + ||x||_1 (max|W| + eta)));
//  - Adam with beta1 = beta2 = eps = 0 is SignGD bit for bit;
//  - the gradient against Richardson-extrapolated central differences of L_S on random
//    coordinates (column 0, a support coordinate, any coordinate), any supports.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bounds/li2024/per_step_laws.hpp"
#include "model/rng.hpp"
#include "model/sign_attention.hpp"
#include "model/sign_training.hpp"
#include "model/signal_noise.hpp"
#include "tests/li2024_law_oracle.hpp"

namespace {

namespace bl = attnbound::bounds::li2024;
namespace md = attnbound::model;
using namespace attnbound::model::li2024;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using attnbound::test::li2024::bit_equal;
using attnbound::test::li2024::law_violation;
using attnbound::test::li2024::preconditions_hold;
using attnbound::test::li2024::problem;
using attnbound::test::li2024::sgn0;

struct config {
  int d = 2, n = 1, s = 1, m_k = 1, m_v = 1, steps = 1;
  double sigma0 = 0.1, sigma_p = 1, mu_norm = 1, eta = 1e-3;
  std::uint64_t seed = 0;
};

/// Uniform in [lo, hi) at every size (inRange scales its range with rapidcheck's size).
int uniform(int lo, int hi) { return *rc::gen::resize(100, rc::gen::inRange(lo, hi)); }

config draw_config(bool disjoint) {
  config c;
  c.n = uniform(1, 9);
  c.s = uniform(1, 9);
  c.d = c.n * c.s + 1 + uniform(0, 61);
  c.m_k = uniform(1, 6);
  c.m_v = uniform(1, 6);
  c.steps = uniform(1, 13);
  c.sigma0 = uniform(1, 11) / 20.0;    // 0.05 .. 0.5
  c.sigma_p = uniform(2, 9) / 4.0;     // 0.5 .. 2
  c.mu_norm = uniform(1, 9) / 4.0;     // 0.25 .. 2
  c.eta = uniform(1, 201) * 1e-4;      // 1e-4 .. 2e-2
  c.seed = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 32));
  RC_LOG() << "d=" << c.d << " n=" << c.n << " s=" << c.s << " m_k=" << c.m_k << " m_v=" << c.m_v
           << " steps=" << c.steps << " sigma0=" << c.sigma0 << " sigma_p=" << c.sigma_p << " mu=" << c.mu_norm
           << " eta=" << c.eta << " seed=" << c.seed << " disjoint=" << disjoint << "\n";
  return c;
}

problem make_problem(const config& c, bool disjoint) {
  problem p;
  p.law.d = c.d, p.law.s = c.s, p.law.sigma_p = c.sigma_p, p.law.mu_norm = c.mu_norm;
  md::rng_t rd = md::make_rng(c.seed, "li2024.property.data");
  p.data = draw_samples(p.law, c.n, disjoint, rd);
  md::rng_t ri = md::make_rng(c.seed, "li2024.property.init");
  p.W0 = initial_parameters(c.d, c.m_k, c.m_v, c.sigma0, ri);
  return p;
}

double max_abs(const attention_params& W) {
  return std::max({W.WQ.cwiseAbs().maxCoeff(), W.WK.cwiseAbs().maxCoeff(), W.WVp.cwiseAbs().maxCoeff(),
                   W.WVm.cwiseAbs().maxCoeff()});
}

MatrixXd& block(attention_params& W, int b) { return b == 0 ? W.WQ : b == 1 ? W.WK : b == 2 ? W.WVp : W.WVm; }

}  // namespace

// Spec 4.1: with disjoint supports every step of SignGD obeys the exact laws (where l'_i != 0
// and no softmax entry is 0 at W^(t)).
RC_GTEST_PROP(Li2024PropertyLaws, ExactPerStepLawsWithDisjointSupports, ()) {
  const config c = draw_config(true);
  const problem pr = make_problem(c, true);
  train_options o;
  o.opt = optimizer::signgd, o.eta = c.eta, o.steps = c.steps;
  std::vector<tracked_scalars> tr;
  double Wmax = 0;
  train(pr.W0, pr.law, pr.data, o, [&](int, const attention_params& W, const loss_and_gradient&) {
    tr.push_back(track(W, pr.law, pr.data));
    Wmax = std::max(Wmax, max_abs(W));
    return true;
  });
  RC_ASSERT(static_cast<int>(tr.size()) == c.steps + 1);
  int checked = 0;
  for (std::size_t t = 0; t + 1 < tr.size(); ++t) {
    if (!preconditions_hold(tr[t])) continue;
    ++checked;
    const double v = law_violation(pr, c.eta, Wmax, tr[t], tr[t + 1]);
    RC_LOG() << "t=" << t << " violation/tolerance=" << v << "\n";
    RC_ASSERT(v <= 1.0);
  }
  RC_CLASSIFY(checked < c.steps, "some step without the preconditions");
}

// Spec 2: Adam(beta1 = beta2 = eps = 0) reduces to SignGD, bit for bit at every iterate.
RC_GTEST_PROP(Li2024PropertyOptimizers, AdamWithZeroBetasIsSignGD, ()) {
  const bool disjoint = *rc::gen::arbitrary<bool>();
  const config c = draw_config(disjoint);
  const problem pr = make_problem(c, disjoint);
  auto run = [&](const train_options& o) {
    std::vector<attention_params> out;
    const train_result r = train(pr.W0, pr.law, pr.data, o, [&](int, const attention_params& W, const loss_and_gradient&) {
      out.push_back(W);
      return true;
    });
    out.push_back(r.W);
    return out;
  };
  train_options sg;
  sg.opt = optimizer::signgd, sg.eta = c.eta, sg.steps = c.steps;
  train_options ad = sg;
  ad.opt = optimizer::adam, ad.beta1 = 0, ad.beta2 = 0, ad.eps = 0;
  const auto a = run(sg), b = run(ad);
  RC_ASSERT(a.size() == b.size());
  for (std::size_t t = 0; t < a.size(); ++t) RC_ASSERT(bit_equal(a[t], b[t]));
}

// Spec 2 "Explicit gradients": the gradient against (4 D(h/2) - D(h))/3 with central
// differences D(h), h = 1e-3 max(1, |w|), on 6 random coordinates: column 0, a support
// coordinate of a random sample, any column. Tolerance 1e-7 max(1e-2, |g|) + 1e-9.
RC_GTEST_PROP(Li2024PropertyGradient, MatchesRichardsonCentralDifferences, ()) {
  const bool disjoint = *rc::gen::arbitrary<bool>();
  const config c = draw_config(disjoint);
  const problem pr = make_problem(c, disjoint);
  const loss_and_gradient lg = gradient(pr.W0, pr.law, pr.data);
  RC_ASSERT(std::abs(lg.loss - logistic_loss(pr.W0, pr.law, pr.data)) <= 1e-15 * std::max(1.0, lg.loss));
  attention_params G = lg.grad;
  for (int trial = 0; trial < 6; ++trial) {
    const int b = uniform(0, 4);
    const int rows = static_cast<int>(block(G, b).rows());
    const int r = uniform(0, rows);
    int k = 0;
    const int kind = trial % 3;
    if (kind == 1) {
      const auto& x = pr.data[static_cast<std::size_t>(uniform(0, c.n))];
      k = x.xi.index[static_cast<std::size_t>(uniform(0, c.s))];
    } else if (kind == 2) {
      k = uniform(0, c.d);
    }
    attention_params W = pr.W0;
    const double w0 = block(W, b)(r, k);
    const double h = 1e-3 * std::max(1.0, std::abs(w0));
    auto L_at = [&](double w) {
      block(W, b)(r, k) = w;
      return logistic_loss(W, pr.law, pr.data);
    };
    auto D = [&](double hh) { return (L_at(w0 + hh) - L_at(w0 - hh)) / (2 * hh); };
    const double fd = (4 * D(h / 2) - D(h)) / 3;
    const double g = block(G, b)(r, k);
    RC_LOG() << "block=" << b << " r=" << r << " k=" << k << " grad=" << g << " fd=" << fd << "\n";
    RC_ASSERT(std::abs(g - fd) <= 1e-7 * std::max(1e-2, std::abs(g)) + 1e-9);
  }
}
