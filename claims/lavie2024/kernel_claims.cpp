// The kernel and symmetry claims of Lavie, Gur-Ari, Ringel 2024 (spec
// lavie2024-transformer-gp-limit.md section 5, checks 1-6; claims/lavie2024/kernel_group.hpp),
// and the verdict-rule pieces they share. One file per claim.
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <fmt/format.h>

#include "bounds/lavie2024/characters.hpp"
#include "bounds/lavie2024/young.hpp"
#include "claims/lavie2024/claims.hpp"
#include "claims/lavie2024/kernel_group.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::lavie2024 {

namespace bl = attnbound::bounds::lavie2024;

std::vector<claim> kernel_claims() {
  return {finite_width_claim(), invariance_claim(), isotypic_spectrum_claim(), closed_forms_claim()};
}

std::vector<mdl::token_space> read_spaces(const std::string& what, const std::vector<int>& codes, int max_V, int max_L,
                                          std::int64_t max_size) {
  std::vector<mdl::token_space> out;
  for (int code : codes) {
    const int V = code / 10, L = code % 10;
    if (code < 10 || code > 99 || V < 2 || V > max_V || L < 2 || L > max_L)
      throw bad_input(fmt::format("{}: space code {} (10 V + L) out of range (2 <= V <= {}, 2 <= L <= {})", what, code, max_V,
                                  max_L));
    const double size = std::pow(static_cast<double>(V), L);
    if (size > static_cast<double>(max_size))
      throw bad_input(fmt::format("{}: space (V={}, L={}) has V^L = {} > {} points (dense N x N matrices)", what, V, L, size,
                                  max_size));
    out.push_back({V, L});
  }
  return out;
}

std::string to_string(const mdl::token_space& s) { return fmt::format("(V={}, L={})", s.V, s.L); }

double dense_spaces_bytes(const std::vector<int>& codes) {
  double worst = 0;
  for (int code : codes) {
    const double N = std::pow(code / 10, code % 10);
    worst = std::max(worst, N * N * 8 * 30);
  }
  return worst + 1e6;
}

std::vector<Eigen::MatrixXd> all_projectors(const mdl::token_space& s) { return isotypic_projectors(s, bl::partitions(s.L)); }

double projector_identity_errors::max() const {
  return std::max({idempotence, symmetry, orthogonality, completeness});
}

projector_identity_errors projector_identities(const std::vector<Eigen::MatrixXd>& P) {
  projector_identity_errors e;
  if (P.empty()) return e;
  const Eigen::Index N = P[0].rows();
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(N, N);
  for (std::size_t a = 0; a < P.size(); ++a) {
    sum += P[a];
    e.idempotence = std::max(e.idempotence, (P[a] * P[a] - P[a]).cwiseAbs().maxCoeff());
    e.symmetry = std::max(e.symmetry, (P[a] - P[a].transpose()).cwiseAbs().maxCoeff());
    for (std::size_t b = a + 1; b < P.size(); ++b)
      e.orthogonality = std::max(e.orthogonality, (P[a] * P[b]).cwiseAbs().maxCoeff());
  }
  e.completeness = (sum - Eigen::MatrixXd::Identity(N, N)).cwiseAbs().maxCoeff();
  return e;
}

double relative_commutator(const Eigen::MatrixXd& T, const std::vector<Eigen::MatrixXd>& P) {
  const double scale = std::max(T.cwiseAbs().maxCoeff(), std::numeric_limits<double>::min());
  double worst = 0;
  for (const auto& p : P) worst = std::max(worst, (T * p - p * T).cwiseAbs().maxCoeff() / scale);
  return worst;
}

invariance_result kernel_invariance(mdl::candidate c, int V,
                                    const std::vector<std::pair<mdl::token_sequence, mdl::token_sequence>>& pairs,
                                    const std::vector<mdl::permutation>& perms) {
  invariance_result r;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [x, y] = pairs[i];
    const double k0 = mdl::kernel(c, x, y, V);
    for (const auto& sigma : perms) {
      const double k1 = mdl::kernel(c, mdl::act(sigma, x), mdl::act(sigma, y), V);
      ++r.compared;
      if (k1 != k0) ++r.differing;
      const double rel = std::abs(k1 - k0) / std::max(std::abs(k0), std::numeric_limits<double>::min());
      if (rel > r.max_relative_difference || r.worst_pair < 0)
        r.max_relative_difference = rel, r.worst_pair = static_cast<int>(i), r.worst_sigma = sigma;
    }
  }
  return r;
}

std::vector<mdl::permutation> last_position_stabiliser(int L) {
  std::vector<mdl::permutation> out;
  for (auto& sigma : mdl::all_permutations(L))
    if (sigma[static_cast<std::size_t>(L - 1)] == L - 1) out.push_back(std::move(sigma));
  return out;
}

double kurtosis_excess(const Eigen::VectorXd& f) {
  const double m2 = f.array().square().mean(), m4 = f.array().square().square().mean();
  return m4 / (m2 * m2) - 3;
}

namespace {

// Sums over a group of draws: count, sum v, sum v^2, sum v^4.
struct moment_sums {
  double n = 0, s1 = 0, s2 = 0, s4 = 0;
  void add(const moment_sums& o) { n += o.n, s1 += o.s1, s2 += o.s2, s4 += o.s4; }
};

double statistic(const moment_sums& m, sample_statistic stat) {
  if (stat == sample_statistic::mean) return m.s1 / m.n;
  const double m2 = m.s2 / m.n, m4 = m.s4 / m.n;
  return m4 / (m2 * m2) - 3;
}

// At most `max_groups` contiguous groups of (i.i.d.) draws; a sample smaller than that is one value per group.
std::vector<moment_sums> group_sums(const Eigen::VectorXd& v, int max_groups) {
  const Eigen::Index n = v.size(), G = std::min<Eigen::Index>(n, max_groups);
  std::vector<moment_sums> out(static_cast<std::size_t>(G));
  for (Eigen::Index i = 0; i < n; ++i) {
    auto& g = out[static_cast<std::size_t>(i * G / n)];
    const double x = v(i), x2 = x * x;
    g.n += 1, g.s1 += x, g.s2 += x2, g.s4 += x2 * x2;
  }
  return out;
}

constexpr int bootstrap_groups = 1000;

}  // namespace

bootstrap_slope loglog_bootstrap_slope(const std::vector<double>& x, const std::vector<Eigen::VectorXd>& samples,
                                       sample_statistic stat, int resamples, std::uint64_t seed, double confidence) {
  if (x.size() != samples.size() || x.size() < 3)
    throw std::invalid_argument("loglog_bootstrap_slope: need >= 3 x values, one sample each");
  std::vector<std::vector<moment_sums>> groups;
  std::vector<double> lx, ly;
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (samples[k].size() < 2) throw std::invalid_argument("loglog_bootstrap_slope: every sample needs >= 2 values");
    groups.push_back(group_sums(samples[k], bootstrap_groups));
    moment_sums all;
    for (const auto& g : groups.back()) all.add(g);
    const double s = statistic(all, stat);
    if (!(s > 0) || !(x[k] > 0))
      throw std::domain_error(fmt::format("loglog_bootstrap_slope: statistic {} at x = {} is not positive", s, x[k]));
    lx.push_back(std::log(x[k])), ly.push_back(std::log(s));
  }
  std::vector<std::vector<double>> per_x(x.size());
  const auto fit = stats::ols(lx, ly);
  bootstrap_slope out;
  out.slope = fit.slope, out.intercept = fit.intercept;
  for (double v : ly) out.stat.push_back(std::exp(v));
  boost::random::mt19937_64 rng(seed);
  std::vector<double> slopes;
  for (int b = 0; b < resamples; ++b) {
    std::vector<double> y;
    bool ok = true;
    for (std::size_t k = 0; k < x.size(); ++k) {
      const auto& gk = groups[k];
      boost::random::uniform_int_distribution<std::size_t> pick(0, gk.size() - 1);
      moment_sums m;
      for (std::size_t i = 0; i < gk.size(); ++i) m.add(gk[pick(rng)]);
      const double s = statistic(m, stat);
      if (!(s > 0)) ok = false;
      y.push_back(ok ? std::log(s) : 0.0);
    }
    if (!ok) {
      ++out.dropped;
      continue;
    }
    slopes.push_back(stats::ols(lx, y).slope);
    for (std::size_t k = 0; k < x.size(); ++k) per_x[k].push_back(std::exp(y[k]));
  }
  if (slopes.size() < 2) throw std::domain_error("loglog_bootstrap_slope: too few resamples with a positive statistic");
  out.ci_low = stats::quantile(slopes, (1 - confidence) / 2);
  out.ci_high = stats::quantile(slopes, (1 + confidence) / 2);
  for (auto& v : per_x) {
    out.stat_low.push_back(stats::quantile(v, (1 - confidence) / 2));
    out.stat_high.push_back(stats::quantile(v, (1 + confidence) / 2));
  }
  return out;
}

std::vector<double> irrep_multiplicities_by_class(const mdl::token_space& s, const Eigen::MatrixXd& Phi,
                                                  const std::vector<partition>& lambdas) {
  const auto mus = bl::partitions(s.L);
  const double Lfact = static_cast<double>(bl::factorial(s.L));
  // chi_W(mu) = tr(Phi^T R_sigma Phi) for one sigma of cycle type mu (cycles on consecutive positions).
  std::vector<double> chi_W;
  for (const auto& mu : mus) {
    mdl::permutation sigma;
    int start = 0;
    for (int len : mu) {
      for (int j = 0; j < len; ++j) sigma.push_back(start + (j + 1) % len);
      start += len;
    }
    const auto image = mdl::action_on_space(s, sigma);  // x -> sigma x
    // (R_sigma phi)(sigma x) = phi(x): tr(Phi^T R Phi) = sum_x sum_k Phi(sigma x, k) Phi(x, k).
    double t = 0;
    for (Eigen::Index x = 0; x < Phi.rows(); ++x) t += Phi.row(image[static_cast<std::size_t>(x)]).dot(Phi.row(x));
    chi_W.push_back(t);
  }
  std::vector<double> out;
  for (const auto& lambda : lambdas) {
    double m = 0;
    for (std::size_t j = 0; j < mus.size(); ++j)
      m += static_cast<double>(bl::class_size(mus[j])) / Lfact * static_cast<double>(bl::character(lambda, mus[j])) * chi_W[j];
    out.push_back(static_cast<double>(bl::irrep_dimension(lambda)) * m);
  }
  return out;
}

}  // namespace attnbound::claims::lavie2024
