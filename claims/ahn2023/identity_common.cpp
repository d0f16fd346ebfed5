#include "claims/ahn2023/identity_common.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

#include "claims/parallel.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::ahn2023 {

double mc_interval::z_of(double v) const {
  const double se = batches > 0 ? sd / std::sqrt(static_cast<double>(batches)) : 0.0;
  if (se == 0) return v == mean ? 0.0 : std::numeric_limits<double>::infinity();
  return (v - mean) / se;
}

namespace {
double t_quantile(int batches, double confidence) {
  boost::math::students_t_distribution<double> t(static_cast<double>(batches - 1));
  return boost::math::quantile(t, 0.5 * (1 + confidence));
}
}  // namespace

mc_interval batch_interval(const std::vector<double>& v, double confidence) {
  if (v.size() < 2) throw std::invalid_argument("batch_interval: need >= 2 batches");
  mc_interval ci;
  ci.batches = static_cast<int>(v.size());
  ci.mean = stats::mean(v);
  ci.sd = stats::sample_sd(v);
  ci.half = t_quantile(ci.batches, confidence) * ci.sd / std::sqrt(static_cast<double>(ci.batches));
  ci.lo = ci.mean - ci.half;
  ci.hi = ci.mean + ci.half;
  return ci;
}

model::rng_t batch_rng(std::uint64_t seed, const std::string& stream, std::uint64_t config, int batch) {
  return model::make_rng(seed, stream, {config, static_cast<std::uint64_t>(batch)});
}

std::vector<std::vector<double>> batch_losses(const icl::lsa_model& m, const std::vector<Eigen::VectorXd>& thetas,
                                              const icl::prompt_options& data, int batches, int B,
                                              std::uint64_t seed, const std::string& stream,
                                              std::uint64_t config, int jobs) {
  std::vector<std::vector<double>> out(thetas.size(), std::vector<double>(static_cast<std::size_t>(batches)));
  for_each_batch(data, batches, B, seed, stream, config, jobs, [&](int k, const icl::prompt_batch& batch) {
    for (std::size_t t = 0; t < thetas.size(); ++t) out[t][k] = icl::loss(m, thetas[t], batch);
  });
  return out;
}

Eigen::MatrixXd batch_gradients(const icl::lsa_model& m, const Eigen::VectorXd& theta,
                                const icl::prompt_options& data, int batches, int B, std::uint64_t seed,
                                const std::string& stream, std::uint64_t config, int jobs) {
  Eigen::MatrixXd G(theta.size(), batches);
  for_each_batch(data, batches, B, seed, stream, config, jobs, [&](int k, const icl::prompt_batch& batch) {
    Eigen::VectorXd g;
    icl::loss_and_gradient(m, theta, batch, g);
    G.col(k) = g;
  });
  return G;
}

zero_gradient_test test_zero_gradient(const Eigen::MatrixXd& grads, double confidence) {
  zero_gradient_test z;
  const int K = static_cast<int>(grads.cols());
  if (K < 2) throw std::invalid_argument("test_zero_gradient: need >= 2 batches");
  z.critical = t_quantile(K, confidence);
  for (Eigen::Index i = 0; i < grads.rows(); ++i) {
    const Eigen::VectorXd g = grads.row(i).transpose();
    if ((g.array() == 0.0).all()) {
      ++z.exact_zero;
      continue;
    }
    ++z.tested;
    const double mean = g.mean();
    const double sd = std::sqrt((g.array() - mean).square().sum() / (K - 1));
    const double se = sd / std::sqrt(static_cast<double>(K));
    const double t = se > 0 ? std::abs(mean) / se : std::numeric_limits<double>::infinity();
    z.max_abs_mean = std::max(z.max_abs_mean, std::abs(mean));
    z.max_half = std::max(z.max_half, z.critical * se);
    if (t > z.max_abs_t || z.worst < 0) z.max_abs_t = std::max(z.max_abs_t, t), z.worst = static_cast<int>(i);
    if (t > z.critical) ++z.outside;
  }
  return z;
}

law_case gaussian_law(int d, int n, const std::vector<double>& lambda, const Eigen::MatrixXd& U) {
  law_case c;
  const Eigen::MatrixXd Uu = U.size() ? U : Eigen::MatrixXd::Identity(d, d);
  Eigen::VectorXd l(d), s(d);
  for (int i = 0; i < d; ++i) l(i) = lambda.at(static_cast<std::size_t>(i)), s(i) = std::sqrt(l(i));
  bool iso = true;
  for (int i = 0; i < d; ++i) iso = iso && lambda[static_cast<std::size_t>(i)] == 1.0;
  c.name = iso ? "gaussian-isotropic" : "gaussian-anisotropic";
  c.data.d = d, c.data.n = n, c.data.law = icl::covariate_law::gaussian;
  if (!iso || U.size()) c.data.sigma_sqrt = Uu * s.asDiagonal();
  const Eigen::MatrixXd Sigma = Uu * l.asDiagonal() * Uu.transpose();
  c.mom = bounds::ahn2023::gaussian_moments<double>(Sigma);
  c.lambda = lambda;
  return c;
}

law_case sphere_law(int d, int n) {
  law_case c;
  c.name = "sphere";
  c.data.d = d, c.data.n = n, c.data.law = icl::covariate_law::sphere;
  c.mom = bounds::ahn2023::sphere_moments<double>(d);
  return c;
}

law_case gamma_law(int d, int n, double k, double theta) {
  law_case c;
  c.name = "radial-gamma";
  c.data.d = d, c.data.n = n, c.data.law = icl::covariate_law::radial_gamma;
  c.data.gamma_shape = k, c.data.gamma_scale = theta;
  c.mom = bounds::ahn2023::radial_gamma_moments<double>(d, k, theta);
  return c;
}

Eigen::MatrixXd random_rotation(int d, model::rng_t& rng) {
  Eigen::MatrixXd A(d, d);
  for (int j = 0; j < d; ++j)
    for (int i = 0; i < d; ++i) A(i, j) = model::standard_normal(rng);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(A);
  Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(d, d);
  const Eigen::MatrixXd R = qr.matrixQR().triangularView<Eigen::Upper>();
  for (int j = 0; j < d; ++j)
    if (R(j, j) < 0) Q.col(j) = -Q.col(j);
  return Q;
}

Eigen::VectorXd code_theta(const icl::lsa_model& m, const std::vector<Eigen::MatrixXd>& P,
                           const std::vector<Eigen::MatrixXd>& C) {
  const int d = m.d;
  std::vector<icl::layer_weights> layers(static_cast<std::size_t>(m.L));
  for (int l = 0; l < m.L; ++l) {
    auto& w = layers[static_cast<std::size_t>(l)];
    w.P = Eigen::MatrixXd::Zero(d + 1, d + 1);
    w.Q = Eigen::MatrixXd::Zero(d + 1, d + 1);
    w.P.topLeftCorner(d, d) = P.at(static_cast<std::size_t>(l));
    w.P(d, d) = 1;
    // score x_j^T Q x_i with the code block Q = -C, i.e. Q_full = [[Q^T, 0], [0, 0]].
    w.Q.topLeftCorner(d, d) = -C.at(static_cast<std::size_t>(l)).transpose();
  }
  return icl::pack(m, layers);
}

Eigen::VectorXd sparse_theta(const icl::lsa_model& m, const std::vector<Eigen::MatrixXd>& A) {
  const int d = m.d;
  std::vector<icl::layer_weights> layers(static_cast<std::size_t>(m.L));
  for (int l = 0; l < m.L; ++l) {
    auto& w = layers[static_cast<std::size_t>(l)];
    w.P = Eigen::MatrixXd::Zero(d + 1, d + 1);
    w.P(d, d) = 1;
    w.Q = Eigen::MatrixXd::Zero(d + 1, d + 1);
    w.Q.topLeftCorner(d, d) = -A.at(static_cast<std::size_t>(l));
  }
  return icl::pack(m, layers);
}

double relative_error(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), std::numeric_limits<double>::min());
}

nlohmann::json interval_json(const mc_interval& ci) {
  return {{"mean", ci.mean}, {"lo", ci.lo}, {"hi", ci.hi}, {"sd", ci.sd}, {"batches", ci.batches}};
}

nlohmann::json worst_case(const std::string& what, double value, std::uint64_t seed, nlohmann::json config) {
  config["what"] = what;
  config["value"] = value;
  config["seed"] = seed;
  return config;
}

std::uint64_t config_key(std::initializer_list<std::uint64_t> keys) {
  std::uint64_t z = 0x5eed;
  for (auto k : keys) z = model::mix64(z ^ model::mix64(k));
  return z;
}

}  // namespace attnbound::claims::ahn2023
