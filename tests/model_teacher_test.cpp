// Tests of model/teacher_student: token generators, random features, the transport class
// F_nu (eq. 9), transported parameters (eq. 10) and Monte Carlo teacher labels (spec 5.1).
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

using namespace attnbound::model;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

sequence_data clipped_data(int d, int T, int n, rng_t& rng) {
  sequence_data data;
  data.d = d;
  data.T = T;
  data.n = n;
  data.X = clipped_gaussian_tokens(d, T, n, rng);
  data.y = VectorXd::Zero(n);
  return data;
}

MatrixXd normal_matrix(int r, int c, rng_t& rng) {
  MatrixXd M(r, c);
  for (int i = 0; i < r; ++i)
    for (int k = 0; k < c; ++k) M(i, k) = standard_normal(rng);
  return M;
}

TEST(ModelTeacher, ClippedTokensHaveNormAtMostOne) {
  rng_t rng = make_rng(31, "test-tokens");
  for (int d : {1, 2, 8}) {
    const MatrixXd X = clipped_gaussian_tokens(d, 16, 50, rng);
    ASSERT_EQ(X.rows(), d);
    ASSERT_EQ(X.cols(), 16 * 50);
    int clipped = 0, unclipped = 0;
    for (Index t = 0; t < X.cols(); ++t) {
      const double nrm = X.col(t).norm();
      EXPECT_LE(nrm, 1 + 1e-15);
      (std::abs(nrm - 1) < 1e-12 ? clipped : unclipped)++;
    }
    EXPECT_GT(clipped, 0);  // both branches happen
    if (d <= 2) {
      EXPECT_GT(unclipped, 0);
    }
  }
  // Reproducible from the stream.
  rng_t a = make_rng(5, "tok"), b = make_rng(5, "tok");
  EXPECT_EQ(clipped_gaussian_tokens(3, 4, 5, a), clipped_gaussian_tokens(3, 4, 5, b));
}

TEST(ModelTeacher, AntipodalTokensHaveUnitNormAndShareADirection) {
  rng_t rng = make_rng(32, "test-antipodal");
  const int d = 5, T = 7, n = 40;
  const MatrixXd X = antipodal_tokens(d, T, n, rng);
  int plus = 0, minus = 0;
  for (int j = 0; j < n; ++j) {
    const VectorXd u = X.col(static_cast<Index>(j) * T);
    for (int t = 0; t < T; ++t) {
      const VectorXd x = X.col(static_cast<Index>(j) * T + t);
      EXPECT_NEAR(x.norm(), 1.0, 1e-14);
      const double s = x.dot(u);
      EXPECT_NEAR(std::abs(s), 1.0, 1e-14);
      EXPECT_LT((x - s * u).norm(), 1e-14);
      (s > 0 ? plus : minus)++;
    }
  }
  EXPECT_GT(plus, 0);
  EXPECT_GT(minus, 0);
}

TEST(ModelTeacher, FeaturesAreLemma1GradientsPerHead) {
  // grad_{phi_i} f = m^-1/2 (phi_c, c_i phi_u, c_i phi_w) at head i's (U_i, W_i).
  rng_t rng = make_rng(33, "test-features");
  const int d = 4, T = 5, m = 6;
  const sequence_data data = clipped_data(d, T, 4, rng);
  transformer_params phi = symmetric_init(d, m, rng);
  phi.c(0) = 0.7;  // c_i != +-1 too
  transformer_workspace ws;
  transformer_params g;
  const double s = 1 / std::sqrt(double(m));
  for (int j = 0; j < data.n; ++j) {
    gradient_one(phi, data, j, g, ws);
    for (int i = 0; i < m; ++i) {
      const random_features f = features(phi.U.col(i), phi.W.middleRows(i * d, d), data.sample(j));
      EXPECT_NEAR(g.c(i), s * f.c, 1e-14);
      EXPECT_LT((g.U.col(i) - s * phi.c(i) * f.u).norm(), 1e-14);
      EXPECT_LT((g.W.middleRows(i * d, d) - s * phi.c(i) * f.w).norm(), 1e-14);
      EXPECT_GT(f.w.norm(), 0.0);
    }
  }
}

void expect_v_within_nu(const transport_map& v, rng_t& rng, bool expect_exact_norm) {
  const int d = v.d;
  double vc = 0;
  VectorXd vu;
  MatrixXd vw;
  double max_u = 0, max_w = 0, max_c = 0;
  for (int k = 0; k < 300; ++k) {
    const VectorXd U = normal_matrix(d, 1, rng);
    const MatrixXd W = normal_matrix(d, d, rng) * (k % 3 == 0 ? 20.0 : 1.0);
    v.evaluate(U * (k % 5 == 0 ? 10.0 : 1.0), W, vc, vu, vw);
    ASSERT_EQ(vu.size(), d);
    ASSERT_EQ(vw.rows(), d);
    EXPECT_LE(std::abs(vc), v.nu_c * (1 + 1e-12));
    EXPECT_LE(vu.norm(), v.nu_u * (1 + 1e-12));
    EXPECT_LE(vw.norm(), v.nu_w * (1 + 1e-12));
    if (expect_exact_norm && k % 3 != 0 && k % 5 != 0) {  // unsaturated tanh: dh > 0
      EXPECT_NEAR(std::abs(vc), v.nu_c, 1e-12);
      EXPECT_NEAR(vu.norm(), v.nu_u, 1e-12);
      EXPECT_NEAR(vw.norm(), v.nu_w, 1e-12);
    }
    max_c = std::max(max_c, std::abs(vc));
    max_u = std::max(max_u, vu.norm());
    max_w = std::max(max_w, vw.norm());
  }
  EXPECT_GT(max_c, 0.0);
  EXPECT_GT(max_u, 0.0);
  EXPECT_GT(max_w, 0.0);
}

TEST(ModelTeacher, TransportMapNormsWithinNu) {
  rng_t rng = make_rng(34, "test-nu");
  const sequence_data data = clipped_data(4, 6, 30, rng);
  for (bool full : {false, true})
    for (auto weights : {mixture_weights::uniform, mixture_weights::random_signs}) {
      const transport_map v = make_transport_map(data, 8, weights, 3, 2, 1.5, full, rng);
      EXPECT_NEAR(v.alpha.cwiseAbs().sum(), 1.0, 1e-15);
      expect_v_within_nu(v, rng, false);
    }
  // One anchor with full_norm: every block has norm nu exactly.
  const transport_map one =
      make_transport_map(data, 1, mixture_weights::uniform, 3, 2, 1.5, true, rng);
  expect_v_within_nu(one, rng, true);
  // Antipodal data (M reaches ||M||_op = 1, so raw ||phi_w|| can exceed 1): clipping still holds.
  sequence_data hard = data;
  hard.X = antipodal_tokens(4, 6, 30, rng);
  const transport_map vh =
      make_transport_map(hard, 8, mixture_weights::random_signs, 3, 3, 0.5, false, rng);
  expect_v_within_nu(vh, rng, false);
}

TEST(ModelTeacher, TransportMapEvaluateMatchesFeatureDefinition) {
  rng_t rng = make_rng(35, "test-eval");
  const int d = 3, T = 4;
  const sequence_data data = clipped_data(d, T, 12, rng);
  for (bool full : {false, true}) {
    const transport_map v =
        make_transport_map(data, 5, mixture_weights::random_signs, 3, 2, 0.2, full, rng);
    const VectorXd U = normal_matrix(d, 1, rng) * 3;
    const MatrixXd W = normal_matrix(d, d, rng);
    double vc_ref = 0;
    VectorXd vu_ref = VectorXd::Zero(d);
    MatrixXd vw_ref = MatrixXd::Zero(d, d);
    for (int r = 0; r < v.R(); ++r) {
      const random_features f = features(U, W, v.anchors.middleCols(r * T, T));
      if (full) {
        vc_ref += v.alpha(r) * v.nu_c * (f.c > 0 ? 1 : -1);
        vu_ref += v.alpha(r) * v.nu_u * f.u / f.u.norm();
        vw_ref += v.alpha(r) * v.nu_w * f.w / f.w.norm();
      } else {
        vc_ref += v.alpha(r) * v.nu_c * f.c;
        vu_ref += v.alpha(r) * v.nu_u * f.u;
        vw_ref += v.alpha(r) * f.w * std::min(1.0, v.nu_w / f.w.norm());
      }
    }
    double vc;
    VectorXd vu;
    MatrixXd vw;
    v.evaluate(U, W, vc, vu, vw);
    EXPECT_NEAR(vc, vc_ref, 1e-14);
    EXPECT_LT((vu - vu_ref).norm(), 1e-14);
    EXPECT_LT((vw - vw_ref).norm(), 1e-14);
  }
}

TEST(ModelTeacher, MakeTransportMapDrawsDistinctAnchors) {
  rng_t rng = make_rng(36, "test-anchors");
  const int d = 3, T = 4, n = 20;
  const sequence_data data = clipped_data(d, T, n, rng);
  const transport_map v =
      make_transport_map(data, n, mixture_weights::uniform, 3, 3, 3, false, rng);
  ASSERT_EQ(v.R(), n);
  std::set<int> seen;
  for (int r = 0; r < n; ++r)
    for (int j = 0; j < n; ++j)
      if (v.anchors.middleCols(r * T, T) == data.sample(j)) seen.insert(j);
  EXPECT_EQ(static_cast<int>(seen.size()), n);  // a permutation: all distinct
  EXPECT_TRUE((v.alpha.array() == 1.0 / n).all());
  EXPECT_THROW(make_transport_map(data, n + 1, mixture_weights::uniform, 3, 3, 3, false, rng),
               std::invalid_argument);
  EXPECT_THROW(make_transport_map(data, 0, mixture_weights::uniform, 3, 3, 3, false, rng),
               std::invalid_argument);
}

TEST(ModelTeacher, TransportedParametersInOmegaRho) {
  rng_t rng = make_rng(37, "test-transport");
  const int d = 4, T = 6, m = 16;
  const sequence_data data = clipped_data(d, T, 20, rng);
  const transformer_params phi0 = symmetric_init(d, m, rng);
  const radii rho{3, 3, 3};
  for (bool full : {false, true}) {
    const transport_map v =
        make_transport_map(data, 4, mixture_weights::random_signs, 3, 3, 3, full, rng);
    const transformer_params t = transport(phi0, v);
    EXPECT_TRUE(in_ball(t, phi0, rho));
    EXPECT_GT((t.W - phi0.W).norm(), 0.0);
  }
  // With a single full-norm anchor every block sits on the sphere nu / sqrt m, so a radius
  // below nu must fail (the check can fail).
  const transport_map one =
      make_transport_map(data, 1, mixture_weights::uniform, 3, 3, 3, true, rng);
  const transformer_params t1 = transport(phi0, one);
  EXPECT_TRUE(in_ball(t1, phi0, rho));
  EXPECT_FALSE(in_ball(t1, phi0, radii{2.9, 3, 3}));
  EXPECT_FALSE(in_ball(t1, phi0, radii{3, 2.9, 3}));
  EXPECT_FALSE(in_ball(t1, phi0, radii{3, 3, 2.9}));
}

TEST(ModelTeacher, LinearizedTransportIsRandomFeatureAverage) {
  // f_lin(X; phi~) = (1/m) sum_i <phi(X; phi_i0), v(phi_i0)> since c_i0^2 = 1 and f(phi0) = 0.
  rng_t rng = make_rng(38, "test-rf");
  const int d = 3, T = 5, m = 8;
  const sequence_data data = clipped_data(d, T, 6, rng);
  const transformer_params phi0 = symmetric_init(d, m, rng);
  const transport_map v =
      make_transport_map(data, 3, mixture_weights::random_signs, 3, 3, 3, false, rng);
  transformer_workspace ws;
  VectorXd f_lin;
  forward_linearized(phi0, transport(phi0, v), data, f_lin, ws);
  for (int j = 0; j < data.n; ++j) {
    double ref = 0;
    for (int i = 0; i < m; ++i) {
      const VectorXd U = phi0.U.col(i);
      const MatrixXd W = phi0.W.middleRows(i * d, d);
      const random_features f = features(U, W, data.sample(j));
      double vc;
      VectorXd vu;
      MatrixXd vw;
      v.evaluate(U, W, vc, vu, vw);
      ref += f.c * vc + f.u.dot(vu) + f.w.cwiseProduct(vw).sum();
    }
    EXPECT_NEAR(f_lin(j), ref / m, 1e-13);
  }
}

TEST(ModelTeacher, TeacherLabelsMatchNaivePoolAverage) {
  rng_t rng = make_rng(39, "test-labels");
  const int d = 3, T = 4, n = 7;
  const sequence_data data = clipped_data(d, T, n, rng);
  for (bool full : {false, true}) {
    const transport_map v =
        make_transport_map(data, 3, mixture_weights::random_signs, 3, 2, 1, full, rng);
    for (int pool : {1, 5, 300}) {  // odd pools: odd head counts in the batched kernel
      rng_t a = make_rng(pool, "pool"), b = make_rng(pool, "pool");
      const VectorXd y = teacher_labels(v, data, pool, a);
      VectorXd ref = VectorXd::Zero(n);
      for (int k = 0; k < pool; ++k) {
        VectorXd U(d);
        for (int r = 0; r < d; ++r) U(r) = standard_normal(b);
        const MatrixXd W = normal_matrix(d, d, b);  // row-major draw order
        double vc;
        VectorXd vu;
        MatrixXd vw;
        v.evaluate(U, W, vc, vu, vw);
        for (int j = 0; j < n; ++j) {
          const random_features f = features(U, W, data.sample(j));
          ref(j) += f.c * vc + f.u.dot(vu) + f.w.cwiseProduct(vw).sum();
        }
      }
      ref /= pool;
      EXPECT_LT((y - ref).cwiseAbs().maxCoeff(), 1e-12 * (1 + ref.cwiseAbs().maxCoeff()))
          << "pool=" << pool << " full=" << full;
      EXPECT_EQ(a(), b());  // same number of draws consumed
    }
  }
}

// The pool labels are bit-identical for any thread count (the draws' transport-map evaluations
// and the sums over samples are split over threads; each sum keeps its order).
TEST(ModelTeacher, TeacherLabelsBitIdenticalForAnyThreadCount) {
  rng_t rng = make_rng(41, "test-labels-threads");
  const int d = 4, T = 5, n = 97;
  const sequence_data data = clipped_data(d, T, n, rng);
  const transport_map v = make_transport_map(data, 3, mixture_weights::random_signs, 3, 3, 3, false, rng);
  std::vector<VectorXd> ys;
  for (int threads : {1, 2, 3, 8}) {
    rng_t a = make_rng(42, "pool");
    ys.push_back(teacher_labels(v, data, 501, a, threads));
  }
  for (std::size_t k = 1; k < ys.size(); ++k)
    for (int j = 0; j < n; ++j) EXPECT_EQ(ys[k](j), ys[0](j)) << "threads variant " << k << " sample " << j;
  EXPECT_GT(ys[0].cwiseAbs().maxCoeff(), 1e-3);
}

// Pools above one block of 65536 draws: the blocks' labels combine into the pool average.
TEST(ModelTeacher, TeacherLabelsOverSeveralBlocksAreThePoolAverage) {
  rng_t rng = make_rng(43, "test-labels-blocks");
  const int d = 2, T = 2, n = 3, P = 65536 + 37;
  const sequence_data data = clipped_data(d, T, n, rng);
  const transport_map v = make_transport_map(data, 1, mixture_weights::uniform, 3, 3, 3, false, rng);
  rng_t a = make_rng(44, "pool"), b = make_rng(44, "pool");
  const VectorXd y = teacher_labels(v, data, P, a, 2);
  VectorXd ref = VectorXd::Zero(n);
  VectorXd U(d), vu;
  MatrixXd vw;
  double vc;
  for (int k = 0; k < P; ++k) {
    for (int r = 0; r < d; ++r) U(r) = standard_normal(b);
    const MatrixXd W = normal_matrix(d, d, b);
    v.evaluate(U, W, vc, vu, vw);
    for (int j = 0; j < n; ++j) {
      const random_features f = features(U, W, data.sample(j));
      ref(j) += f.c * vc + f.u.dot(vu) + f.w.cwiseProduct(vw).sum();
    }
  }
  ref /= P;
  EXPECT_LT((y - ref).cwiseAbs().maxCoeff(), 1e-12 * (1 + ref.cwiseAbs().maxCoeff()));
  EXPECT_EQ(a(), b());  // same number of draws consumed
}

TEST(ModelTeacher, StudentRandomFeaturesApproachPoolLabels) {
  // Lemma 5 in miniature: |f_lin(phi~) - y| shrinks as the student width m grows.
  rng_t rng = make_rng(40, "test-lemma5");
  const int d = 4, T = 6, n = 100;
  sequence_data data = clipped_data(d, T, n, rng);
  const transport_map v =
      make_transport_map(data, 4, mixture_weights::random_signs, 3, 3, 3, false, rng);
  data.y = teacher_labels(v, data, 8192, rng);
  EXPECT_GT(data.y.cwiseAbs().maxCoeff(), 1e-2);
  transformer_workspace ws;
  std::vector<double> err;
  for (int m : {8, 64, 512}) {
    double e = 0;
    const int seeds = 4;
    for (int s = 0; s < seeds; ++s) {
      const transformer_params phi0 = symmetric_init(d, m, rng);
      VectorXd f_lin;
      forward_linearized(phi0, transport(phi0, v), data, f_lin, ws);
      e += (f_lin - data.y).cwiseAbs().mean() / seeds;
    }
    err.push_back(e);
  }
  EXPECT_LT(err[1], 0.8 * err[0]);
  EXPECT_LT(err[2], 0.8 * err[1]);
  EXPECT_LT(err[2], 0.35 * err[0]);  // ~ m^-1/2: ideal ratio 1/8
}

TEST(ModelTeacher, MaxPhiWNormMatchesFeatures) {
  rng_t rng = make_rng(41, "test-phiw");
  const int d = 4, T = 6, m = 6, n = 10;
  sequence_data data = clipped_data(d, T, n, rng);
  data.X = antipodal_tokens(d, T, n, rng);
  transformer_params phi0 = symmetric_init(d, m, rng);
  phi0.U *= 3;  // make norms > 1 likely
  double mx = 0;
  int above = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      const double nw =
          features(phi0.U.col(i), phi0.W.middleRows(i * d, d), data.sample(j)).w.norm();
      mx = std::max(mx, nw);
      above += nw > 1;
    }
  double frac = -1;
  EXPECT_NEAR(max_phi_w_norm(phi0, data, &frac), mx, 1e-13);
  EXPECT_DOUBLE_EQ(frac, above / double(n * m));
  EXPECT_GT(above, 0);
  EXPECT_NEAR(max_phi_w_norm(phi0, data), mx, 1e-13);
}

}  // namespace
