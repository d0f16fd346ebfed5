// Tests of model/ar_process: the AR(L) recursion, its stationary moments, the window and
// token layout with positional channels, label standardization, token normalization, the
// train/validation split and the streaming token source.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "model/ar_process.hpp"

namespace {

using namespace attnbound::model;

TEST(ModelArProcess, SeriesFollowsTheRecursionWithTheRightNoise) {
  ar_options o;
  o.L = 3;
  rng_t rng = make_rng(1, "ar-test");
  const std::vector<double> x = ar_series(o, 200001, rng);
  // Residuals eps_t = x_t - alpha x_{t-L}: mean 0, variance 0.1 (200k draws: se 3e-4 on the variance).
  double s = 0, s2 = 0;
  const int N = static_cast<int>(x.size()) - o.L;
  for (int t = o.L; t < static_cast<int>(x.size()); ++t) {
    const double e = x[t] - o.alpha * x[t - o.L];
    s += e, s2 += e * e;
  }
  EXPECT_NEAR(s / N, 0.0, 0.005);
  EXPECT_NEAR(s2 / N, 0.1, 0.0015);
  // Stationary variance sigma^2/(1 - alpha^2) = 0.1/0.19 and lag-L autocorrelation alpha;
  // no correlation at lag 1 (L = 3: the residue classes mod L are independent AR(1)s).
  double v = 0, cL = 0, c1 = 0;
  const int from = 1000, count = static_cast<int>(x.size()) - from;
  for (int t = from; t < static_cast<int>(x.size()); ++t) {
    v += x[t] * x[t];
    cL += x[t] * x[t - o.L];
    c1 += x[t] * x[t - 1];
  }
  EXPECT_NEAR(v / count, 0.1 / 0.19, 0.02);
  EXPECT_NEAR(cL / v, 0.9, 0.01);
  EXPECT_NEAR(c1 / v, 0.0, 0.02);
}

TEST(ModelArProcess, WindowsHoldValuesPositionsAndStandardizedLabels) {
  ar_options o;
  o.L = 4;
  rng_t rng = make_rng(2, "ar-test");
  const std::vector<double> x = ar_series(o, 1200, rng);
  const int T = 5, n = 300, first = o.burn_in + T;  // the authors' windows: s = burn_in + j
  const sequence_data data = ar_windows(o, x, T, n, first);
  ASSERT_EQ(data.d, 17);
  ASSERT_EQ(data.X.rows(), 17);
  ASSERT_EQ(data.X.cols(), T * n);
  const double two_pi = 8 * std::atan(1.0);
  for (int j : {0, 7, n - 1})
    for (int t = 0; t < T; ++t) {
      const auto tok = data.sample(j).col(t);
      EXPECT_EQ(tok(0), x[o.burn_in + j + t]);
      for (int k = 0; k < 8; ++k) {
        const double period = 32.0 * std::pow(2.0, k);
        EXPECT_NEAR(tok(1 + k), std::sin(two_pi * t / period), 1e-15);
        EXPECT_NEAR(tok(9 + k), std::cos(two_pi * t / period), 1e-15);
      }
    }
  // y_j = (x[s+T] - mean) / population sd over the n windows.
  double mu = 0, sd = 0;
  for (int j = 0; j < n; ++j) mu += x[first + j];
  mu /= n;
  for (int j = 0; j < n; ++j) sd += (x[first + j] - mu) * (x[first + j] - mu);
  sd = std::sqrt(sd / n);
  for (int j = 0; j < n; ++j) EXPECT_NEAR(data.y(j), (x[first + j] - mu) / sd, 1e-12);
  EXPECT_NEAR(data.y.mean(), 0.0, 1e-12);
  EXPECT_NEAR(data.y.squaredNorm() / n, 1.0, 1e-12);
  EXPECT_THROW(ar_windows(o, x, T, n, T - 1), std::invalid_argument);        // starts before 0
  EXPECT_THROW(ar_windows(o, x, T, n, 1200 - n + 1), std::invalid_argument);  // runs past the end
}

TEST(ModelArProcess, EndAlignedWindowsShareLabelsAndRecentTokensAcrossT) {
  ar_options o;
  rng_t rng = make_rng(3, "ar-test");
  const std::vector<double> x = ar_series(o, 1200, rng);
  const sequence_data a = ar_windows(o, x, 4, 50, 1000), b = ar_windows(o, x, 32, 50, 1000);
  EXPECT_EQ(a.y, b.y);
  for (int j = 0; j < 50; ++j)
    for (int back = 1; back <= 4; ++back)
      EXPECT_EQ(a.sample(j).col(4 - back)(0), b.sample(j).col(32 - back)(0));
}

TEST(ModelArProcess, NormalizedTokensHaveNormAtMostOne) {
  ar_options o;
  o.normalize_tokens = true;
  rng_t rng = make_rng(4, "ar-test");
  const std::vector<double> x = ar_series(o, 1100, rng);
  const sequence_data data = ar_windows(o, x, 8, 100, 900);
  const Eigen::VectorXd norms = data.X.colwise().norm();
  EXPECT_LE(norms.maxCoeff(), 1.0 + 1e-15);
  // Positional channels alone have norm sqrt(8) > 1, so every token is scaled to norm 1, and
  // the direction is kept: value / position-channel ratio unchanged.
  EXPECT_NEAR(norms.minCoeff(), 1.0, 1e-15);
  ar_options raw = o;
  raw.normalize_tokens = false;
  const sequence_data r = ar_windows(raw, x, 8, 100, 900);
  for (int c = 0; c < 20; ++c)
    EXPECT_NEAR(data.X(0, c) / data.X(9, c), r.X(0, c) / r.X(9, c), 1e-12);
}

TEST(ModelArProcess, SplitIsADisjointRandomPartition) {
  ar_options o;
  rng_t rng = make_rng(5, "ar-test");
  const std::vector<double> x = ar_series(o, 1100, rng);
  const sequence_data all = ar_windows(o, x, 3, 101, 900);
  rng_t s1 = make_rng(6, "split"), s2 = make_rng(6, "split");
  const ar_split a = split_windows(all, 0.2, s1), b = split_windows(all, 0.2, s2);
  EXPECT_EQ(a.val.n, 20);  // int(0.2 * 101)
  EXPECT_EQ(a.train.n, 81);
  EXPECT_EQ(a.val.y, b.val.y);  // reproducible from the seed
  std::multiset<double> labels(all.y.data(), all.y.data() + all.n), got;
  for (int j = 0; j < a.val.n; ++j) got.insert(a.val.y(j));
  for (int j = 0; j < a.train.n; ++j) got.insert(a.train.y(j));
  EXPECT_EQ(labels, got);
  // Samples keep their tokens: find each validation label's window in `all`.
  for (int j = 0; j < a.val.n; ++j) {
    int k = 0;
    while (all.y(k) != a.val.y(j)) ++k;
    EXPECT_EQ(Eigen::MatrixXd(all.sample(k)), Eigen::MatrixXd(a.val.sample(j)));
  }
  // Not the identity order.
  bool moved = false;
  for (int j = 0; j < a.val.n; ++j) moved |= a.val.y(j) != all.y(j);
  EXPECT_TRUE(moved);
  EXPECT_THROW(split_windows(all, 1.0, s1), std::invalid_argument);
}

TEST(ModelArProcess, StreamReproducesTheSeriesAfterTheBurnIn) {
  ar_options o;
  o.L = 5;
  o.burn_in = 37;
  const std::vector<double> x = [&] {
    rng_t rng = make_rng(9, "stream");
    return ar_series(o, 200, rng);
  }();
  ar_token_stream stream(o, make_rng(9, "stream"));
  std::vector<double> tok(o.d()), ref(o.d());
  for (int t = 0; t < 200 - o.burn_in; ++t) {
    stream.next(tok.data());
    ar_token(o, x[o.burn_in + t], t, ref.data());
    EXPECT_EQ(tok, ref) << t;
  }
}

TEST(ModelArProcess, RejectsBadOptions) {
  rng_t rng = make_rng(10, "bad");
  ar_options o;
  o.L = 0;
  EXPECT_THROW(ar_series(o, 10, rng), std::invalid_argument);
  o.L = 2;
  o.alpha = 1.0;
  EXPECT_THROW(ar_series(o, 10, rng), std::invalid_argument);
  o.alpha = 0.5;
  o.noise_var = -1;
  EXPECT_THROW(ar_series(o, 10, rng), std::invalid_argument);
}

}  // namespace
