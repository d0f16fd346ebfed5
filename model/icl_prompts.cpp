// In-context regression prompts (spec ahn2023-linear-attention.md 1.3). Draw order per prompt
// (fixed, so a seed fixes the batch on every platform): g ~ N(0, I_d) for w* = w_sqrt g, then
// the n + 1 covariates in token order; each covariate draws its d normals first (gaussian,
// sphere, radial_gamma) and then, for radial_gamma, one Gamma(k, theta) variate; the cube draws
// d uniforms. Boost.Random distributions only (their output is specified).
#include "model/icl_prompts.hpp"

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace attnbound::model::icl {

namespace {

void check_options(const prompt_options& opt, int B) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("draw_prompts: " + what); };
  if (opt.d < 1) fail("d must be >= 1");
  if (opt.n < 1) fail("n must be >= 1");
  if (B < 0) fail("B must be >= 0");
  if (!std::isfinite(opt.query_scale)) fail("query_scale must be finite");
  if (opt.sigma_sqrt.size() != 0 && (opt.sigma_sqrt.rows() != opt.d || opt.sigma_sqrt.cols() != opt.d))
    fail("sigma_sqrt must be d x d");
  if (opt.sigma_sqrt.size() != 0 && opt.law != covariate_law::gaussian) fail("sigma_sqrt applies to the gaussian law only");
  if (opt.w_sqrt.size() != 0 && (opt.w_sqrt.rows() != opt.d || opt.w_sqrt.cols() != opt.d))
    fail("w_sqrt must be d x d");
  if (opt.law == covariate_law::radial_gamma &&
      !(opt.gamma_shape > 0 && opt.gamma_scale > 0 && std::isfinite(opt.gamma_shape) && std::isfinite(opt.gamma_scale)))
    fail("gamma shape and scale must be positive and finite");
  if (opt.law == covariate_law::cube && !(opt.cube_half_width > 0 && std::isfinite(opt.cube_half_width)))
    fail("cube_half_width must be positive and finite");
}

}  // namespace

prompt_batch draw_prompts(const prompt_options& opt, int B, rng_t& rng) {
  check_options(opt, B);
  const int d = opt.d, n = opt.n, T = n + 1;
  prompt_batch out;
  out.d = d, out.n = n, out.B = B;
  out.Z.setZero(d + 1, static_cast<Eigen::Index>(B) * T);
  out.y_query.resize(B);
  out.w.resize(d, B);

  boost::random::normal_distribution<double> normal(0.0, 1.0);
  boost::random::gamma_distribution<double> gamma(opt.gamma_shape, opt.gamma_scale);  // shape k, scale theta
  boost::random::uniform_real_distribution<double> uniform(-opt.cube_half_width, opt.cube_half_width);
  Eigen::VectorXd g(d), x(d), w(d);

  for (int b = 0; b < B; ++b) {
    for (int k = 0; k < d; ++k) g(k) = normal(rng);
    if (opt.w_sqrt.size() != 0) {
      w.noalias() = opt.w_sqrt * g;
    } else {
      w = g;
    }
    out.w.col(b) = w;
    for (int t = 0; t < T; ++t) {
      switch (opt.law) {
        case covariate_law::gaussian:
          for (int k = 0; k < d; ++k) g(k) = normal(rng);
          if (opt.sigma_sqrt.size() != 0) {
            x.noalias() = opt.sigma_sqrt * g;
          } else {
            x = g;
          }
          break;
        case covariate_law::sphere:
        case covariate_law::radial_gamma: {
          double norm2;
          do {  // a zero vector has probability 0; redraw rather than divide by 0
            for (int k = 0; k < d; ++k) g(k) = normal(rng);
            norm2 = g.squaredNorm();
          } while (norm2 == 0.0);
          x = g / std::sqrt(norm2);
          if (opt.law == covariate_law::radial_gamma) x *= std::sqrt(gamma(rng));
          break;
        }
        case covariate_law::cube:
          for (int k = 0; k < d; ++k) x(k) = uniform(rng);
          break;
      }
      if (t == n) x *= opt.query_scale;
      const Eigen::Index col = static_cast<Eigen::Index>(b) * T + t;
      out.Z.col(col).head(d) = x;
      const double y = x.dot(w);
      if (t < n) {
        out.Z(d, col) = y;
      } else {
        out.y_query(b) = y;  // the query's label slot stays 0
      }
    }
  }
  return out;
}

}  // namespace attnbound::model::icl
