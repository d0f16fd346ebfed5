// NNGP kernels of the simplified attention block on one-hot tokens (spec
// lavie2024-transformer-gp-limit.md sections 1.2-1.3, [reconstructed]).
#include "model/attention_kernel.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attnbound::model::lavie2024 {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

[[noreturn]] void bad_token(int t, int V) {
  throw std::invalid_argument("token " + std::to_string(t) + " outside 0.." + std::to_string(V - 1));
}

void check_V(int V) {
  if (V < 1) throw std::invalid_argument("vocabulary size V must be >= 1 (got " + std::to_string(V) + ")");
}

void check_same_length(const token_sequence& x, const token_sequence& y) {
  if (x.size() != y.size())
    throw std::invalid_argument("sequences of lengths " + std::to_string(x.size()) + " and " +
                                std::to_string(y.size()) + " differ");
}

void check_pair(const token_sequence& x, const token_sequence& y, int V) {
  check_V(V);
  require(!x.empty(), "empty token sequence");
  check_same_length(x, y);
  for (const auto* s : {&x, &y})
    for (int t : *s)
      if (t < 0 || t >= V) bad_token(t, V);
}

/// The table of the header from h, B, [t_L = t'_L] (integers; one rounding per operation).
double kernel_from_counts(candidate c, int h, int B, bool last_equal, int L, int V) {
  const double V3 = static_cast<double>(V) * V * V;
  switch (c) {
    case candidate::A: return static_cast<double>(h) * B / (L * V3);
    case candidate::B: return last_equal ? B / V3 : 0.0;
    case candidate::C: return static_cast<double>(B) * B / (static_cast<double>(L) * L * V3);
    case candidate::D: return static_cast<double>(h + L) * (B + L + 2 * h) / (8.0 * L);
  }
  throw std::invalid_argument("unknown candidate");
}

/// Sequences and histograms packed for fast Gram loops.
struct packed {
  int L = 0, V = 0;
  std::vector<int> tokens;  // n x L
  std::vector<int> hist;    // n x V
};

packed pack(const std::vector<token_sequence>& xs, int L, int V) {
  packed p;
  p.L = L, p.V = V;
  p.tokens.resize(xs.size() * static_cast<std::size_t>(L));
  p.hist.assign(xs.size() * static_cast<std::size_t>(V), 0);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    require(xs[i].size() == static_cast<std::size_t>(L), "sequences of different lengths in a Gram matrix");
    for (int mu = 0; mu < L; ++mu) {
      const int t = xs[i][static_cast<std::size_t>(mu)];
      if (t < 0 || t >= V) bad_token(t, V);
      p.tokens[i * L + mu] = t;
      ++p.hist[i * V + t];
    }
  }
  return p;
}

double packed_kernel(candidate c, const packed& X, std::size_t i, const packed& Y, std::size_t j) {
  const int L = X.L, V = X.V;
  const int* x = &X.tokens[i * L];
  const int* y = &Y.tokens[j * L];
  const int* nx = &X.hist[i * V];
  const int* ny = &Y.hist[j * V];
  int h = 0, B = 0;
  for (int mu = 0; mu < L; ++mu) h += x[mu] == y[mu];
  for (int a = 0; a < V; ++a) B += nx[a] * ny[a];
  return kernel_from_counts(c, h, B, x[L - 1] == y[L - 1], L, V);
}

}  // namespace

candidate parse_candidate(const std::string& name) {
  if (name == "A") return candidate::A;
  if (name == "B") return candidate::B;
  if (name == "C") return candidate::C;
  if (name == "D") return candidate::D;
  throw std::invalid_argument("unknown kernel candidate '" + name + "' (expected A, B, C or D)");
}

std::string to_string(candidate c) {
  switch (c) {
    case candidate::A: return "A";
    case candidate::B: return "B";
    case candidate::C: return "C";
    case candidate::D: return "D";
  }
  throw std::invalid_argument("unknown candidate");
}

int hamming_agreement(const token_sequence& x, const token_sequence& y) {
  check_same_length(x, y);
  int h = 0;
  for (std::size_t mu = 0; mu < x.size(); ++mu) h += x[mu] == y[mu];
  return h;
}

int bag_overlap(const token_sequence& x, const token_sequence& y, int V) {
  check_V(V);
  std::vector<int> nx(static_cast<std::size_t>(V), 0), ny(static_cast<std::size_t>(V), 0);
  for (const auto& [s, n] : {std::pair{&x, &nx}, std::pair{&y, &ny}})
    for (int t : *s) {
      if (t < 0 || t >= V) bad_token(t, V);
      ++(*n)[static_cast<std::size_t>(t)];
    }
  int B = 0;
  for (int a = 0; a < V; ++a) B += nx[static_cast<std::size_t>(a)] * ny[static_cast<std::size_t>(a)];
  return B;
}

double kernel(candidate c, const token_sequence& x, const token_sequence& y, int V) {
  check_pair(x, y, V);
  const int L = static_cast<int>(x.size());
  return kernel_from_counts(c, hamming_agreement(x, y), bag_overlap(x, y, V), x.back() == y.back(), L, V);
}

Eigen::MatrixXd embedding(candidate c, const token_sequence& x, int V) {
  check_V(V);
  require(!x.empty(), "empty token sequence");
  const int L = static_cast<int>(x.size());
  for (int t : x)
    if (t < 0 || t >= V) bad_token(t, V);
  if (c == candidate::D) {
    // x_mu = (e_{t_mu}, e_mu) / sqrt 2 in R^{V+L}.
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(L, V + L);
    for (int mu = 0; mu < L; ++mu) {
      X(mu, x[static_cast<std::size_t>(mu)]) = 1.0 / std::sqrt(2.0);
      X(mu, V + mu) = 1.0 / std::sqrt(2.0);
    }
    return X;
  }
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(L, V);  // x_mu = e_{t_mu}
  for (int mu = 0; mu < L; ++mu) X(mu, x[static_cast<std::size_t>(mu)]) = 1.0;
  return X;
}

double nngp_from_embeddings(candidate c, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  require(X.rows() >= 1 && X.cols() >= 1, "empty embedding");
  require(X.rows() == Y.rows() && X.cols() == Y.cols(), "embeddings of different shapes");
  const Eigen::Index L = X.rows();
  const bool normalise = c != candidate::D;
  const double d = normalise ? static_cast<double>(X.cols()) : 1.0;
  const Eigen::MatrixXd k = X * Y.transpose() / d;  // k_{mu nu} = X_mu . Y_nu / d
  const double key_value = k.array().square().sum();  // sum_{nu nu'} k_{nu nu'}^2
  double readout = 0.0;                                 // sum_{mu mu'} r_{mu mu'} k_{mu mu'}
  switch (c) {
    case candidate::A:
    case candidate::D: readout = k.trace() / static_cast<double>(L); break;             // r = delta / L
    case candidate::B: readout = k(L - 1, L - 1); break;                                // last token
    case candidate::C: readout = k.sum() / (static_cast<double>(L) * static_cast<double>(L)); break;  // 1/L^2
  }
  return readout * key_value;
}

Eigen::MatrixXd gram(candidate c, const std::vector<token_sequence>& xs, const std::vector<token_sequence>& ys,
                     int V) {
  check_V(V);
  Eigen::MatrixXd K(static_cast<Eigen::Index>(xs.size()), static_cast<Eigen::Index>(ys.size()));
  if (xs.empty() || ys.empty()) return K;
  const int L = static_cast<int>(xs.front().size());
  require(L >= 1, "empty token sequence");
  const packed X = pack(xs, L, V), Y = pack(ys, L, V);
  for (std::size_t j = 0; j < ys.size(); ++j)
    for (std::size_t i = 0; i < xs.size(); ++i)
      K(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = packed_kernel(c, X, i, Y, j);
  return K;
}

Eigen::MatrixXd full_space_gram(candidate c, const token_space& space) {
  check_space(space);
  const std::int64_t N = space.size();
  if (!(N <= 46341))
    throw std::invalid_argument("full_space_gram: V^L = " + std::to_string(N) + " points is too many for a dense N x N matrix");
  std::vector<token_sequence> xs;
  xs.reserve(static_cast<std::size_t>(N));
  for (std::int64_t i = 0; i < N; ++i) xs.push_back(sequence_at(space, i));
  const packed X = pack(xs, space.L, space.V);
  Eigen::MatrixXd K(N, N);
  for (std::int64_t j = 0; j < N; ++j)
    for (std::int64_t i = j; i < N; ++i) {
      const double v = packed_kernel(c, X, static_cast<std::size_t>(i), X, static_cast<std::size_t>(j));
      K(i, j) = v;
      K(j, i) = v;  // all four candidates are symmetric
    }
  return K;
}

bool is_fully_symmetric(candidate c) { return c != candidate::B; }

}  // namespace attnbound::model::lavie2024
