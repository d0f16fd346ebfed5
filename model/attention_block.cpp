// The finite-width simplified attention block with N(0,1) parameters (spec
// lavie2024-transformer-gp-limit.md section 1.3): its output covariance over draws is the kernel
// of model/attention_kernel.hpp at every number of heads H.
#include "model/attention_block.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attnbound::model::lavie2024 {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

bool flatten_readout(candidate c) { return c == candidate::A || c == candidate::D; }

/// Input dimension d of the embedding: V one-hot coordinates, plus L positional ones for D.
int input_dim(const block_shape& s) { return s.kind == candidate::D ? s.V + s.L : s.V; }

void check_input(const block_shape& shape, const token_sequence& x) {
  if (x.size() != static_cast<std::size_t>(shape.L))
    throw std::invalid_argument("input of length " + std::to_string(x.size()) + ", the block has L = " +
                                std::to_string(shape.L));
  for (int t : x)
    if (t < 0 || t >= shape.V)
      throw std::invalid_argument("token " + std::to_string(t) + " outside 0.." + std::to_string(shape.V - 1));
}

/// Fills theta with fresh N(0,1) entries in a fixed order (per head: W_Q, W_K, W_V, a, each
/// column-major), resizing only when the shape changed.
void draw_into(const block_shape& s, rng_t& rng, block_params& theta) {
  const int d = input_dim(s);
  const int readout_rows = flatten_readout(s.kind) ? s.L : 1;
  const auto H = static_cast<std::size_t>(s.heads);
  theta.WQ.resize(H), theta.WK.resize(H), theta.WV.resize(H), theta.a.resize(H);
  auto fill = [&rng](Eigen::MatrixXd& M, int rows, int cols) {
    M.resize(rows, cols);
    double* p = M.data();
    for (Eigen::Index k = 0; k < M.size(); ++k) p[k] = standard_normal(rng);
  };
  for (std::size_t h = 0; h < H; ++h) {
    fill(theta.WQ[h], s.d_k, d);
    fill(theta.WK[h], s.d_k, d);
    fill(theta.WV[h], s.d_v, d);
    fill(theta.a[h], readout_rows, s.d_v);
  }
}

void check_params(const block_shape& s, const block_params& theta) {
  const int d = input_dim(s);
  const int readout_rows = flatten_readout(s.kind) ? s.L : 1;
  const auto H = static_cast<std::size_t>(s.heads);
  require(theta.WQ.size() == H && theta.WK.size() == H && theta.WV.size() == H && theta.a.size() == H,
          "block parameters have the wrong number of heads");
  for (std::size_t h = 0; h < H; ++h)
    if (!(theta.WQ[h].rows() == s.d_k && theta.WQ[h].cols() == d && theta.WK[h].rows() == s.d_k &&
          theta.WK[h].cols() == d && theta.WV[h].rows() == s.d_v && theta.WV[h].cols() == d &&
          theta.a[h].rows() == readout_rows && theta.a[h].cols() == s.d_v))
      throw std::invalid_argument("block parameters of head " + std::to_string(h) + " do not match the block shape");
}

/// Scratch space of the forward pass (reused across inputs and draws: no allocation per call).
struct workspace {
  std::vector<double> q, k, v, g, gbar;
};

/// Projections of the embedded tokens, column by column: W x_mu is column t_mu of W for one-hot
/// inputs, and (column t_mu + column V+mu) / sqrt 2 for D.
void project(const block_shape& s, const Eigen::MatrixXd& W, const token_sequence& x, double* out) {
  static const double inv_sqrt2 = 1.0 / std::sqrt(2.0);
  const Eigen::Index rows = W.rows();
  const double* w = W.data();
  for (int mu = 0; mu < s.L; ++mu) {
    const double* col = w + rows * x[static_cast<std::size_t>(mu)];
    double* o = out + rows * mu;
    if (s.kind == candidate::D) {
      const double* pos = w + rows * (s.V + mu);
      for (Eigen::Index i = 0; i < rows; ++i) o[i] = (col[i] + pos[i]) * inv_sqrt2;
    } else {
      for (Eigen::Index i = 0; i < rows; ++i) o[i] = col[i];
    }
  }
}

double forward(const block_shape& s, const block_params& theta, const token_sequence& x, workspace& ws) {
  const int L = s.L, dk = s.d_k, dv = s.d_v;
  // 1/d in the logits and 1/sqrt(d) on the values for A-C; unnormalised dot products for D.
  const double dnorm = s.kind == candidate::D ? 1.0 : static_cast<double>(s.V);
  const double g_scale = 1.0 / (std::sqrt(static_cast<double>(dk)) * dnorm);
  const double v_scale = 1.0 / std::sqrt(dnorm);
  ws.q.resize(static_cast<std::size_t>(dk * L));
  ws.k.resize(static_cast<std::size_t>(dk * L));
  ws.v.resize(static_cast<std::size_t>(dv * L));
  ws.g.resize(static_cast<std::size_t>(L * L));
  ws.gbar.resize(static_cast<std::size_t>(L));
  double f = 0.0;
  for (std::size_t h = 0; h < theta.WQ.size(); ++h) {
    project(s, theta.WQ[h], x, ws.q.data());
    project(s, theta.WK[h], x, ws.k.data());
    project(s, theta.WV[h], x, ws.v.data());
    const double* a = theta.a[h].data();  // column-major: a(mu, c) = a[mu + rows * c]
    auto logit = [&](int mu, int nu) {  // G_{mu nu}
      double dot = 0.0;
      for (int i = 0; i < dk; ++i) dot += ws.q[static_cast<std::size_t>(mu * dk + i)] * ws.k[static_cast<std::size_t>(nu * dk + i)];
      return dot * g_scale;
    };
    // Attention weights that the readout sees: row mu of G (flatten: every mu, weight a(mu, .)),
    // row L-1 (last token) or the mean of the rows (mean pool).
    double head = 0.0;
    if (flatten_readout(s.kind)) {
      for (int mu = 0; mu < L; ++mu)
        for (int nu = 0; nu < L; ++nu) {
          const double g = logit(mu, nu);
          double av = 0.0;  // sum_c a(mu, c) (W_V x_nu)_c
          for (int c = 0; c < dv; ++c) av += a[mu + L * c] * ws.v[static_cast<std::size_t>(nu * dv + c)];
          head += g * av;
        }
    } else {
      for (int nu = 0; nu < L; ++nu) {
        double g = 0.0;
        if (s.kind == candidate::B) {
          g = logit(L - 1, nu);
        } else {
          for (int mu = 0; mu < L; ++mu) g += logit(mu, nu);
          g /= L;
        }
        double av = 0.0;
        for (int c = 0; c < dv; ++c) av += a[c] * ws.v[static_cast<std::size_t>(nu * dv + c)];
        head += g * av;
      }
    }
    f += head * v_scale;
  }
  const double fan = static_cast<double>(s.heads) * s.d_v * (flatten_readout(s.kind) ? L : 1);
  return f / std::sqrt(fan);
}

}  // namespace

void check_shape(const block_shape& shape) {
  if (!(shape.V >= 1))
    throw std::invalid_argument("vocabulary size V must be >= 1 (got " + std::to_string(shape.V) + ")");
  if (!(shape.L >= 1))
    throw std::invalid_argument("context length L must be >= 1 (got " + std::to_string(shape.L) + ")");
  if (!(shape.heads >= 1))
    throw std::invalid_argument("number of heads H must be >= 1 (got " + std::to_string(shape.heads) + ")");
  if (!(shape.d_k >= 1))
    throw std::invalid_argument("key dimension d_k must be >= 1 (got " + std::to_string(shape.d_k) + ")");
  if (!(shape.d_v >= 1))
    throw std::invalid_argument("value dimension d_v must be >= 1 (got " + std::to_string(shape.d_v) + ")");
  require(static_cast<double>(shape.heads) * (2.0 * shape.d_k + 2.0 * shape.d_v) * (shape.V + shape.L) <= 1e9,
          "block too large (H (2 d_k + 2 d_v)(V + L) > 1e9 parameters)");
}

block_params draw_block(const block_shape& shape, rng_t& rng) {
  check_shape(shape);
  block_params theta;
  draw_into(shape, rng, theta);
  return theta;
}

double block_output(const block_shape& shape, const block_params& theta, const token_sequence& x) {
  check_shape(shape);
  check_params(shape, theta);
  check_input(shape, x);
  workspace ws;
  return forward(shape, theta, x, ws);
}

Eigen::MatrixXd sample_outputs(const block_shape& shape, const std::vector<token_sequence>& xs, int draws,
                               std::uint64_t seed) {
  check_shape(shape);
  if (!(draws >= 0))
    throw std::invalid_argument("number of draws must be >= 0 (got " + std::to_string(draws) + ")");
  for (const auto& x : xs) check_input(shape, x);
  Eigen::MatrixXd out(draws, static_cast<Eigen::Index>(xs.size()));
  block_params theta;
  workspace ws;
  for (int r = 0; r < draws; ++r) {
    rng_t rng = make_rng(seed, "lavie2024.block", {static_cast<std::uint64_t>(r)});
    draw_into(shape, rng, theta);
    for (std::size_t i = 0; i < xs.size(); ++i) out(r, static_cast<Eigen::Index>(i)) = forward(shape, theta, xs[i], ws);
  }
  return out;
}

}  // namespace attnbound::model::lavie2024
