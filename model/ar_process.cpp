// AR(L) data of spec 5.2 (see ar_process.hpp).
#include "model/ar_process.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace attnbound::model {

namespace {
constexpr double two_pi = 6.283185307179586476925286766559;
}

void validate(const ar_options& o) {
  if (o.L < 1) throw std::invalid_argument("AR(L): L must be >= 1");
  if (!(std::abs(o.alpha) < 1)) throw std::invalid_argument("AR(L): |alpha| must be < 1");
  if (!(o.noise_var >= 0) || !std::isfinite(o.noise_var))
    throw std::invalid_argument("AR(L): noise variance must be finite and >= 0");
  if (o.burn_in < 0) throw std::invalid_argument("AR(L): burn-in must be >= 0");
  if (o.pos_pairs < 0) throw std::invalid_argument("AR(L): positional pairs must be >= 0");
  if (!(o.base_period > 0) || !std::isfinite(o.base_period))
    throw std::invalid_argument("AR(L): base period must be finite and > 0");
}

std::vector<double> ar_series(const ar_options& o, int length, rng_t& rng) {
  validate(o);
  if (length < 0) throw std::invalid_argument("ar_series: negative length");
  const double sd = std::sqrt(o.noise_var);
  std::vector<double> x(static_cast<std::size_t>(length));
  for (int t = 0; t < length; ++t)
    x[t] = t < o.L ? standard_normal(rng) : o.alpha * x[t - o.L] + sd * standard_normal(rng);
  return x;
}

void positional_channels(const ar_options& o, int t, double* out) {
  double period = o.base_period;
  for (int k = 0; k < o.pos_pairs; ++k, period *= 2) {
    const double angle = two_pi * static_cast<double>(t) / period;
    out[k] = std::sin(angle);
    out[o.pos_pairs + k] = std::cos(angle);
  }
}

void ar_token(const ar_options& o, double value, int t, double* out) {
  out[0] = value;
  positional_channels(o, t, out + 1);
  if (o.normalize_tokens) {
    double sq = 0;
    for (int k = 0; k < o.d(); ++k) sq += out[k] * out[k];
    const double norm = std::sqrt(sq);
    if (norm > 1)
      for (int k = 0; k < o.d(); ++k) out[k] /= norm;
  }
}

sequence_data ar_windows(const ar_options& o, const std::vector<double>& series, int T, int n,
                         int first_target) {
  validate(o);
  if (T < 1 || n < 1) throw std::invalid_argument("ar_windows: T and n must be >= 1");
  if (first_target - T < 0 ||
      static_cast<long long>(first_target) + n > static_cast<long long>(series.size()))
    throw std::invalid_argument("ar_windows: the windows do not fit in the series");
  sequence_data data;
  data.d = o.d(), data.T = T, data.n = n;
  data.X.resize(data.d, static_cast<Eigen::Index>(T) * n);
  data.y.resize(n);
  for (int j = 0; j < n; ++j) {
    const int target = first_target + j, start = target - T;
    for (int t = 0; t < T; ++t)
      ar_token(o, series[start + t], t, data.X.col(static_cast<Eigen::Index>(j) * T + t).data());
    data.y(j) = series[target];
  }
  // z-score over this set with the population sd (torch .std(unbiased=False)).
  const double mu = data.y.mean();
  const double sd = std::sqrt((data.y.array() - mu).square().mean());
  data.y = (data.y.array() - mu) / std::max(sd, 1e-12);
  return data;
}

namespace {
sequence_data take(const sequence_data& all, const std::vector<int>& idx) {
  sequence_data s;
  s.d = all.d, s.T = all.T, s.n = static_cast<int>(idx.size());
  s.X.resize(all.d, static_cast<Eigen::Index>(all.T) * s.n);
  s.y.resize(s.n);
  for (int k = 0; k < s.n; ++k) {
    s.X.middleCols(static_cast<Eigen::Index>(k) * all.T, all.T) = all.sample(idx[k]);
    s.y(k) = all.y(idx[k]);
  }
  return s;
}
}  // namespace

ar_split split_windows(const sequence_data& all, double val_frac, rng_t& rng) {
  if (!(val_frac >= 0 && val_frac < 1))
    throw std::invalid_argument("split_windows: val_frac must lie in [0, 1)");
  std::vector<int> perm(static_cast<std::size_t>(all.n));
  std::iota(perm.begin(), perm.end(), 0);
  // Fisher-Yates with Boost's (specified) uniform_int_distribution.
  for (int i = all.n - 1; i > 0; --i) {
    boost::random::uniform_int_distribution<int> pick(0, i);
    std::swap(perm[i], perm[pick(rng)]);
  }
  const int n_val = static_cast<int>(val_frac * all.n);
  if (all.n - n_val < 1) throw std::invalid_argument("split_windows: no training windows left");
  ar_split s;
  s.val = take(all, std::vector<int>(perm.begin(), perm.begin() + n_val));
  s.train = take(all, std::vector<int>(perm.begin() + n_val, perm.end()));
  return s;
}

ar_token_stream::ar_token_stream(const ar_options& o, rng_t rng)
    : o_(o), rng_(std::move(rng)), ring_(static_cast<std::size_t>(o.L > 0 ? o.L : 1), 0.0) {
  validate(o);
  for (int k = 0; k < o_.burn_in; ++k) draw();
}

double ar_token_stream::draw() {
  const std::size_t slot = static_cast<std::size_t>(n_ % o_.L);
  const double x = n_ < o_.L ? standard_normal(rng_)
                             : o_.alpha * ring_[slot] + std::sqrt(o_.noise_var) * standard_normal(rng_);
  ring_[slot] = x;  // the slot of x_{n-L} now holds x_n
  ++n_;
  return x;
}

void ar_token_stream::next(double* out) { ar_token(o_, draw(), t_++, out); }

}  // namespace attnbound::model
