// Tests of bounds/ahn2023 (linear-attention closed forms, spec ahn2023-linear-attention.md 2.1-2.6)
// (a) against the spec's printed tables (7 significant digits), and (b) at 50 digits against the
// independent reference tests/data/ahn2023_reference.json (tests/reference/ahn2023_reference.py:
// exact rational matrix algebra from first principles, Wishart moments by Wick's theorem), in
// double, MPFR and MPFI; plus consistency identities between the headers.
// Loss convention everywhere: E(y_hat - y)^2, no 1/2.
#include <gtest/gtest.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bounds/ahn2023/multistep_gd.hpp"
#include "bounds/ahn2023/one_layer.hpp"
#include "bounds/ahn2023/relu_attention.hpp"
#include "bounds/ahn2023/von_oswald.hpp"
#include "bounds/ahn2023/zfb_test_length.hpp"
#include "bounds/common/scalar.hpp"
#include "reference_data.hpp"

namespace {

namespace ah = attnbound::bounds::ahn2023;
using ah::matrix;
using attnbound::lower;
using attnbound::mp_interval;
using attnbound::mp_real;
using attnbound::precision_guard;
using attnbound::upper;
using nlohmann::json;

const json& reference() { return attnbound::test::reference_data("ahn2023_reference.json"); }

/// "p/q", "p" or a decimal, in the Scalar (tests/reference_data.hpp).
template <class S>
S parse(const std::string& s) { return attnbound::test::parse_rational<S>(s); }

template <class S>
std::vector<S> parse_list(const json& a) {
  std::vector<S> v;
  for (const auto& x : a) v.push_back(parse<S>(x.get<std::string>()));
  return v;
}

template <class S>
matrix<S> parse_matrix(const json& a) {
  matrix<S> M(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(a[0].size()));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j)
      M(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = parse<S>(a[i][j].get<std::string>());
  return M;
}

/// The reference value of a field: its decimal (55 digits).
mp_real ref_value(const json& v) { return mp_real(v.at("value").get<std::string>()); }

/// |got - ref| <= 1e-50 max(1, |ref|) at 70 working digits.
::testing::AssertionResult agrees50(const mp_real& got, const mp_real& ref) {
  using std::abs;
  const mp_real scale = abs(ref) > 1 ? mp_real(abs(ref)) : mp_real(1);
  if (abs(got - ref) <= mp_real("1e-50") * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got.str(55) << " want " << ref.str(55);
}

::testing::AssertionResult encloses(const mp_interval& got, const mp_real& ref) {
  const mp_real lo = lower(got), hi = upper(got);
  // the reference is rounded to 55 digits: allow that much outside
  const mp_real slack = mp_real("1e-53") * (abs(ref) > 1 ? mp_real(abs(ref)) : mp_real(1));
  if (lo - slack <= ref && ref <= hi + slack && hi - lo < mp_real("1e-40"))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "[" << lo.str(30) << ", " << hi.str(30) << "] vs " << ref.str(30);
}

bool isotropic(const std::vector<mp_real>& l) {
  for (const auto& x : l)
    if (x != l[0]) return false;
  return true;
}

// ---------------------------------------------------------------- (a) the spec's tables

TEST(BoundsAhn2023Spec, Table21Theorem1) {
  const std::vector<double> aniso{1, 1, 0.25, 0.0625, 1};
  EXPECT_NEAR(ah::theorem1_isotropic_loss<double>(5, 20), 1.1538462, 5e-8);
  EXPECT_NEAR(ah::theorem1_isotropic_loss<double>(5, 5), 2.7272727, 5e-8);
  EXPECT_NEAR(ah::theorem1_loss(aniso, 20), 0.6817564, 5e-8);
  EXPECT_NEAR(ah::theorem1_isotropic_loss<double>(10, 10), 5.2380952, 5e-8);
  // optimal Q = -Gamma_n^{-1}: -10/13, -5/11, -10/21 (isotropic)
  EXPECT_NEAR(-ah::theorem1_gamma_inverse(std::vector<double>(5, 1), 20)[0], -0.7692308, 5e-8);
  EXPECT_NEAR(-ah::theorem1_gamma_inverse(std::vector<double>(5, 1), 5)[0], -0.4545455, 5e-8);
  EXPECT_NEAR(-ah::theorem1_gamma_inverse(std::vector<double>(10, 1), 10)[0], -10.0 / 21, 1e-15);
  // isotropic theorem1_loss equals the d(d+1)/(n+d+1) form: 30/26, 30/11, 110/21
  EXPECT_NEAR(ah::theorem1_loss(std::vector<double>(5, 1), 20), 30.0 / 26, 1e-15);
  EXPECT_NEAR(ah::theorem1_loss(std::vector<double>(5, 1), 5), 30.0 / 11, 1e-15);
  EXPECT_NEAR(ah::theorem1_loss(std::vector<double>(10, 1), 10), 110.0 / 21, 1e-14);
}

TEST(BoundsAhn2023Spec, Table22RadialFamily) {
  // Gaussian N(0, I_5), n = 20: s = 1, m4 = 35
  EXPECT_NEAR(ah::radial_loss<double>(5, 20, 1, 35), 1.1538462, 5e-8);
  EXPECT_NEAR(ah::radial_q_star<double>(5, 20, 1, 35), -0.7692308, 5e-8);
  // sphere: 1/6 = (d-1)/(n+d-1), Q* = -25/6
  const auto sph = ah::one_layer_optimum_for(ah::sphere_moments<double>(5), 20);
  EXPECT_NEAR(sph.loss, 1.0 / 6, 1e-15);
  EXPECT_NEAR(-sph.C_star(0, 0), -25.0 / 6, 1e-14);
  EXPECT_NEAR(ah::radial_loss<double>(5, 20, 0.2, 1), 0.1666667, 5e-8);
  EXPECT_NEAR(ah::radial_q_star<double>(5, 20, 0.2, 1), -4.1666667, 5e-8);
  // Setting 3 gamma (0.1, 10): m4 = 11, f* = 27/37, Q* = -50/37
  const auto gam = ah::one_layer_optimum_for(ah::radial_gamma_moments<double>(5, 0.1, 10), 20);
  EXPECT_NEAR(gam.loss, 27.0 / 37, 1e-15);
  EXPECT_NEAR(gam.loss, 0.7297297, 5e-8);
  EXPECT_NEAR(-gam.C_star(0, 0), -50.0 / 37, 1e-14);
  EXPECT_NEAR(-gam.C_star(0, 0), -1.3513514, 5e-8);
  EXPECT_NEAR(ah::radial_loss<double>(5, 20, 0.2, 11), 27.0 / 37, 1e-15);
  // [VO] cube U(-1,1)^10, n = 10: 490/297; the spec's "x 1/2" column is [VO]'s 1/2 convention
  const auto cube = ah::one_layer_optimum_for(ah::cube_moments<double>(10, 1), 10);
  EXPECT_NEAR(cube.loss, 490.0 / 297, 1e-14);
  EXPECT_NEAR(cube.loss, 1.6498316, 5e-8);
  EXPECT_NEAR(cube.loss / 2, 0.8249158, 5e-8);
  EXPECT_NEAR(cube.C_star(0, 0), 50.0 / 33, 1e-14);  // eta* = 1.5151515
  EXPECT_NEAR(ah::vo_optimal_step_radial<double>(10, 10, 1.0 / 3, 12), 1.5151515, 5e-8);
  // [VO] code default U(-1/2,1/2)^10: 245/594, eta* = 200/33
  const auto half = ah::one_layer_optimum_for(ah::cube_moments<double>(10, 0.5), 10);
  EXPECT_NEAR(half.loss, 245.0 / 594, 1e-15);
  EXPECT_NEAR(half.loss, 0.4124579, 5e-8);
  EXPECT_NEAR(half.loss / 2, 0.2062290, 5e-8);
  EXPECT_NEAR(half.C_star(0, 0), 200.0 / 33, 1e-13);
  // f(0) = tr Sigma: 5, 1, 1, 10/3, 5/6
  const matrix<double> z5 = matrix<double>::Zero(5, 5), z10 = matrix<double>::Zero(10, 10);
  EXPECT_NEAR(ah::one_layer_quadratic_loss(z5, ah::gaussian_moments<double>(matrix<double>::Identity(5, 5)), 20), 5, 1e-15);
  EXPECT_NEAR(ah::one_layer_quadratic_loss(z5, ah::sphere_moments<double>(5), 20), 1, 1e-15);
  EXPECT_NEAR(ah::one_layer_quadratic_loss(z5, ah::radial_gamma_moments<double>(5, 0.1, 10), 20), 1, 1e-15);
  EXPECT_NEAR(ah::one_layer_quadratic_loss(z10, ah::cube_moments<double>(10, 1), 10), 10.0 / 3, 1e-15);
  EXPECT_NEAR(ah::one_layer_quadratic_loss(z10, ah::cube_moments<double>(10, 0.5), 10), 5.0 / 6, 1e-15);
}

TEST(BoundsAhn2023Spec, Table24MultistepGd) {
  const auto a1 = ah::multistep_gd_optimum<double>(5, 20, 1);
  EXPECT_NEAR(a1.loss, 1.1538462, 5e-8);
  EXPECT_NEAR(a1.steps.at(0), 0.7692, 5e-5);
  const auto b = ah::multistep_gd_optimum<double>(5, 20, 2);
  // FINDING: the spec prints 0.3612398; the headers and the independent mpmath reference (Wick
  // moments, normal equations) both give 0.36123968605..., i.e. 0.3612397 to 7 decimals. The
  // spec's last digit is off by one (its own MC value 0.3616 cannot decide). We test the value
  // we reproduce; the spec's printed 0.3612398 is 1.1e-7 away.
  EXPECT_NEAR(b.loss, 0.3612397, 5e-8);
  EXPECT_GT(std::abs(b.loss - 0.3612398), 5e-8);  // documents the discrepancy (see NOTES.md)
  EXPECT_NEAR(b.steps.at(0), 0.51537, 5e-6);
  EXPECT_NEAR(b.steps.at(1), 1.24957, 5e-6);
  const auto c = ah::multistep_gd_optimum<double>(5, 5, 2);
  EXPECT_NEAR(ah::multistep_gd_optimum<double>(5, 5, 1).loss, 2.7272727, 5e-8);
  EXPECT_NEAR(ah::multistep_gd_optimum<double>(5, 5, 1).steps.at(0), 0.4545, 5e-5);
  EXPECT_NEAR(c.loss, 1.993742, 5e-7);
  EXPECT_NEAR(c.steps.at(0), 0.26396, 5e-6);
  EXPECT_NEAR(c.steps.at(1), 0.80444, 5e-6);
  EXPECT_NEAR(ah::multistep_gd_optimum<double>(10, 10, 1).loss, 5.2380952, 5e-8);
  EXPECT_NEAR(ah::multistep_gd_optimum<double>(10, 10, 2).loss, 3.673443, 5e-7);
}

TEST(BoundsAhn2023Spec, Table26TestLength) {
  const std::vector<double> iso(5, 1.0);
  const int Ms[] = {5, 10, 20, 100};
  const double want[] = {3.8165680, 2.0414201, 1.1538462, 0.4437870};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(ah::zfb_isotropic_test_error<double>(5, 20, Ms[i]), want[i], 5e-8) << Ms[i];
    EXPECT_NEAR(ah::zfb_test_error(iso, 20, Ms[i]), want[i], 5e-8) << Ms[i];
  }
  EXPECT_NEAR(ah::zfb_test_error_limit(iso, 20), 0.2662722, 5e-8);
  // N -> infinity: R -> (d+1) tr(Lambda) / M = d (d+1)/M
  EXPECT_NEAR(ah::zfb_test_error(iso, 1000000, 10), 3.0, 1e-4);
}

TEST(BoundsAhn2023Spec, Theorem5AndVonOswald) {
  EXPECT_DOUBLE_EQ(ah::theorem5_q0<double>(5, 20), -40.0 / 33);
  EXPECT_DOUBLE_EQ(ah::vo_optimal_step<double>(5, 20), 10.0 / 13);
  EXPECT_DOUBLE_EQ(ah::vo_optimal_step<double>(10, 10), 10.0 / 21);
}

// ---------------------------------------------------------------- (b) independent reference

TEST(BoundsAhn2023Reference, Theorem1MpfrTo50Digits) {
  precision_guard guard(70);
  for (const auto& c : reference().at("theorem1")) {
    const auto lam = parse_list<mp_real>(c.at("lambda"));
    const int n = c.at("n");
    const int d = static_cast<int>(lam.size());
    const mp_real want = ref_value(c.at("loss"));
    EXPECT_TRUE(agrees50(ah::theorem1_loss(lam, n), want)) << c.dump();
    EXPECT_TRUE(agrees50(parse<mp_real>(c.at("loss").at("exact")), want));
    if (isotropic(lam) && lam[0] == 1) {
      EXPECT_TRUE(agrees50(ah::theorem1_isotropic_loss<mp_real>(d, n), want));
    }
    // through the general any-law optimum with Gaussian moments (consistency at 50 digits)
    const auto o = ah::one_layer_optimum_for(ah::gaussian_moments(ah::diagonal_matrix(lam)), n);
    EXPECT_TRUE(agrees50(o.loss, want)) << c.dump();
    const auto gi = ah::theorem1_gamma_inverse(lam, n);
    for (int i = 0; i < d; ++i) {
      EXPECT_TRUE(agrees50(gi[i], ref_value(c.at("gamma_inverse")[i])));
      // Gaussian: G = Sigma Gamma_n, so C* = Sigma G^{-1} = Gamma_n^{-1} (Q* = -Gamma_n^{-1})
      EXPECT_TRUE(agrees50(o.C_star(i, i), gi[i]));
    }
  }
}

TEST(BoundsAhn2023Reference, Theorem1DoubleAndInterval) {
  for (const auto& c : reference().at("theorem1")) {
    const auto lam = parse_list<double>(c.at("lambda"));
    const double want = ref_value(c.at("loss")).convert_to<double>();
    EXPECT_NEAR(ah::theorem1_loss(lam, c.at("n")), want, 1e-14 * want);
  }
  precision_guard guard(60);
  for (const auto& c : reference().at("theorem1")) {
    const auto lam = parse_list<mp_interval>(c.at("lambda"));
    EXPECT_TRUE(encloses(ah::theorem1_loss(lam, c.at("n")), ref_value(c.at("loss"))));
  }
}

TEST(BoundsAhn2023Reference, GeneralGaussianNonDiagonalSigma) {
  const auto& g = reference().at("general_gaussian");
  const int n = g.at("n");
  {
    precision_guard guard(70);
    const auto Sig = parse_matrix<mp_real>(g.at("Sigma"));
    const auto mom = ah::gaussian_moments(Sig);
    const auto o = ah::one_layer_optimum_for(mom, n);
    EXPECT_TRUE(agrees50(o.loss, ref_value(g.at("loss"))));
    const auto G = parse_matrix<mp_real>(g.at("G"));
    const auto Cs = parse_matrix<mp_real>(g.at("C_star"));
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        EXPECT_TRUE(agrees50(o.G(i, j), G(i, j))) << i << j;
        EXPECT_TRUE(agrees50(o.C_star(i, j), Cs(i, j))) << i << j;
      }
    const auto C = parse_matrix<mp_real>(g.at("C"));
    EXPECT_TRUE(agrees50(ah::one_layer_quadratic_loss(C, mom, n), ref_value(g.at("loss_at_C"))));
    EXPECT_TRUE(agrees50(ah::one_layer_quadratic_loss_centered(C, mom, n), ref_value(g.at("loss_at_C"))));
    // the eigenvalue form (Theorem 1) cannot see U: same f* as the non-diagonal Sigma requires
    // the eigenvalues; instead check f(C*) = f* from both quadratic forms
    EXPECT_TRUE(agrees50(ah::one_layer_quadratic_loss(o.C_star, mom, n), o.loss));
  }
  {
    const auto Sig = parse_matrix<double>(g.at("Sigma"));
    const auto o = ah::one_layer_optimum_for(ah::gaussian_moments(Sig), n);
    const double want = ref_value(g.at("loss")).convert_to<double>();
    EXPECT_NEAR(o.loss, want, 1e-12 * want);
  }
  {
    precision_guard guard(60);
    const auto o = ah::one_layer_optimum_for(ah::gaussian_moments(parse_matrix<mp_interval>(g.at("Sigma"))), n);
    EXPECT_TRUE(encloses(o.loss, ref_value(g.at("loss"))));
  }
}

TEST(BoundsAhn2023Reference, RadialAndCubeLaws) {
  precision_guard guard(70);
  for (const auto& c : reference().at("radial")) {
    const int d = c.at("d"), n = c.at("n");
    const std::string law = c.at("law");
    const auto s = parse<mp_real>(c.at("s")), m4 = parse<mp_real>(c.at("m4"));
    const mp_real want = ref_value(c.at("loss")), q = ref_value(c.at("q_star"));
    EXPECT_TRUE(agrees50(ah::radial_loss(d, n, s, m4), want)) << c.dump();
    EXPECT_TRUE(agrees50(ah::radial_q_star(d, n, s, m4), q)) << c.dump();
    EXPECT_TRUE(agrees50(ah::vo_optimal_step_radial(d, n, s, m4), -q)) << c.dump();
    ah::covariate_moments<mp_real> mom;
    const auto& p = c.at("params");
    if (law == "sphere") mom = ah::sphere_moments<mp_real>(d);
    else if (law == "gamma") mom = ah::radial_gamma_moments<mp_real>(d, parse<mp_real>(p.at("k")), parse<mp_real>(p.at("theta")));
    else if (law == "cube") mom = ah::cube_moments<mp_real>(d, parse<mp_real>(p.at("a")));
    else if (law == "gaussian") mom = ah::gaussian_moments<mp_real>(matrix<mp_real>::Identity(d, d));
    else FAIL() << "unknown law " << law;
    const auto o = ah::one_layer_optimum_for(mom, n);
    EXPECT_TRUE(agrees50(o.loss, want)) << c.dump();
    EXPECT_TRUE(agrees50(-o.C_star(0, 0), q)) << c.dump();
    EXPECT_TRUE(agrees50(o.C_star(0, 1), mp_real(0)));
    EXPECT_TRUE(agrees50(mom.Sigma.trace(), ref_value(c.at("f0"))));
  }
}

TEST(BoundsAhn2023Reference, WishartMomentsAgainstWickSums) {
  precision_guard guard(70);
  for (const auto& c : reference().at("wishart")) {
    const int d = c.at("d"), n = c.at("n");
    for (int k = 0; k <= 4; ++k) {
      const auto& m = c.at("moments").at(std::to_string(k));
      EXPECT_TRUE(agrees50(ah::wishart_trace_moment<mp_real>(k, d, n), ref_value(m.at("m")))) << d << " " << n << " " << k;
      // n^k m_k = E tr W^k, an integer (Wick sum)
      mp_real w = ah::wishart_trace_moment<mp_real>(k, d, n);
      for (int i = 0; i < k; ++i) w *= n;
      EXPECT_TRUE(agrees50(w, mp_real(m.at("E_tr_W").get<std::string>()))) << d << " " << n << " " << k;
      const double md = ah::wishart_trace_moment<double>(k, d, n);
      EXPECT_NEAR(md, ref_value(m.at("m")).convert_to<double>(), 1e-14 * md);
    }
    EXPECT_THROW(ah::wishart_trace_moment<double>(5, d, n), std::domain_error);
  }
}

TEST(BoundsAhn2023Reference, MultistepOptimum) {
  precision_guard guard(70);
  for (const auto& c : reference().at("multistep")) {
    const int d = c.at("d"), n = c.at("n"), L = c.at("L");
    const auto o = ah::multistep_gd_optimum<mp_real>(d, n, L);
    EXPECT_TRUE(agrees50(o.loss, ref_value(c.at("loss")))) << c.dump();
    ASSERT_EQ(o.steps.size(), static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l)
      EXPECT_TRUE(agrees50(o.steps[l], mp_real(c.at("steps")[l].get<std::string>()))) << c.dump();
    const auto p = ah::multistep_optimal_polynomial<mp_real>(d, n, L);
    for (int j = 0; j <= L; ++j) EXPECT_TRUE(agrees50(p[j], parse<mp_real>(c.at("p")[j])));
    // the loss at the optimal steps is the optimum
    EXPECT_TRUE(agrees50(ah::multistep_gd_loss(d, n, o.steps), o.loss));
    const auto od = ah::multistep_gd_optimum<double>(d, n, L);
    EXPECT_NEAR(od.loss, o.loss.convert_to<double>(), 1e-12 * od.loss);
  }
  for (const auto& c : reference().at("multistep_loss_at"))
    EXPECT_TRUE(agrees50(ah::multistep_gd_loss(c.at("d"), c.at("n"), parse_list<mp_real>(c.at("steps"))),
                         ref_value(c.at("loss"))));
  precision_guard g60(60);
  const auto oi = ah::multistep_gd_optimum<mp_interval>(5, 20, 2);
  EXPECT_TRUE(encloses(oi.loss, ref_value(reference().at("multistep")[1].at("loss"))));
}

TEST(BoundsAhn2023Reference, TestLengthLaw) {
  precision_guard guard(70);
  for (const auto& c : reference().at("zfb")) {
    const auto lam = parse_list<mp_real>(c.at("lambda"));
    const int N = c.at("N"), M = c.at("M");
    const mp_real R = ref_value(c.at("R"));
    EXPECT_TRUE(agrees50(ah::zfb_test_error(lam, N, M), R)) << c.dump();
    EXPECT_TRUE(agrees50(ah::zfb_test_error_limit(lam, N), ref_value(c.at("limit")))) << c.dump();
    EXPECT_TRUE(agrees50(ah::zfb_corollary43_bound(lam, N, M), ref_value(c.at("corollary43")))) << c.dump();
    if (isotropic(lam) && lam[0] == 1) {
      EXPECT_TRUE(agrees50(ah::zfb_isotropic_test_error<mp_real>(static_cast<int>(lam.size()), N, M), R));
    }
  }
  precision_guard g60(60);
  for (const auto& c : reference().at("zfb"))
    EXPECT_TRUE(encloses(ah::zfb_test_error(parse_list<mp_interval>(c.at("lambda")), c.at("N"), c.at("M")),
                         ref_value(c.at("R"))));
}

TEST(BoundsAhn2023Reference, Theorem5AndVonOswald) {
  precision_guard guard(70);
  for (const auto& c : reference().at("theorem5"))
    EXPECT_TRUE(agrees50(ah::theorem5_q0<mp_real>(c.at("d"), c.at("n")), ref_value(c.at("q0"))));
  for (const auto& c : reference().at("vo"))
    EXPECT_TRUE(agrees50(ah::vo_optimal_step<mp_real>(c.at("d"), c.at("n")), ref_value(c.at("eta"))));
}

// ---------------------------------------------------------------- consistency identities

std::vector<double> random_spectrum(boost::random::mt19937& g, int d) {
  boost::random::uniform_real_distribution<double> u(0.05, 3.0);
  std::vector<double> l(static_cast<std::size_t>(d));
  for (auto& x : l) x = u(g);
  return l;
}

/// A random SPD matrix B B^T + 0.1 I.
matrix<double> random_spd(boost::random::mt19937& g, int d) {
  boost::random::uniform_real_distribution<double> u(-1, 1);
  matrix<double> B(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) B(i, j) = u(g);
  return B * B.transpose() + 0.1 * matrix<double>::Identity(d, d);
}

TEST(BoundsAhn2023Identities, GaussianMomentsReproduceTheorem1) {
  boost::random::mt19937 g(20231001u);
  for (int rep = 0; rep < 20; ++rep) {
    const int d = 1 + rep % 7, n = 1 + (rep * 7) % 40;
    const auto lam = random_spectrum(g, d);
    const double f = ah::theorem1_loss(lam, n);
    const auto o = ah::one_layer_optimum_for(ah::gaussian_moments(ah::diagonal_matrix(lam)), n);
    EXPECT_NEAR(o.loss, f, 1e-12 * f) << rep;
    // zfb_test_error(N, N) == theorem1_loss
    EXPECT_NEAR(ah::zfb_test_error(lam, n, n), f, 1e-13 * f) << rep;
    // the loss lies in (0, tr Sigma) and decreases in n
    EXPECT_GT(f, 0);
    EXPECT_LT(f, ah::detail::sum_of(lam));
    EXPECT_LT(ah::theorem1_loss(lam, n + 1), f);
  }
}

TEST(BoundsAhn2023Identities, RadialLossEqualsGeneralOptimum) {
  boost::random::mt19937 g(7u);
  boost::random::uniform_real_distribution<double> u(0.05, 4.0);
  for (int rep = 0; rep < 20; ++rep) {
    const int d = 1 + rep % 6, n = 1 + (rep * 5) % 30;
    const double k = u(g), theta = u(g);
    const auto mom = ah::radial_gamma_moments<double>(d, k, theta);
    const double s = k * theta / d, m4 = k * (k + 1) * theta * theta;
    const auto o = ah::one_layer_optimum_for(mom, n);
    EXPECT_NEAR(ah::radial_loss(d, n, s, m4), o.loss, 1e-12 * o.loss) << rep;
    EXPECT_NEAR(ah::radial_q_star(d, n, s, m4), -o.C_star(0, 0), 1e-12 * o.C_star(0, 0)) << rep;
  }
  // Gaussian as a radial law: r^2 ~ chi^2_d = Gamma(d/2, 2), m4 = d (d+2)
  for (int d = 1; d <= 8; ++d)
    EXPECT_NEAR(ah::radial_loss<double>(d, 11, 1, d * (d + 2.0)), ah::theorem1_isotropic_loss<double>(d, 11), 1e-14);
}

TEST(BoundsAhn2023Identities, QuadraticLossMinimizedAtCStar) {
  boost::random::mt19937 g(99u);
  boost::random::uniform_real_distribution<double> u(-2, 2);
  for (int rep = 0; rep < 10; ++rep) {
    const int d = 2 + rep % 4, n = 3 + rep;
    const auto mom = ah::gaussian_moments(random_spd(g, d));
    const auto o = ah::one_layer_optimum_for(mom, n);
    EXPECT_NEAR(ah::one_layer_quadratic_loss(o.C_star, mom, n), o.loss, 1e-10 * (1 + o.loss)) << rep;
    for (int t = 0; t < 5; ++t) {
      matrix<double> C(d, d);
      for (int i = 0; i < d; ++i)
        for (int j = 0; j < d; ++j) C(i, j) = u(g);
      const double f1 = ah::one_layer_quadratic_loss(C, mom, n);
      const double f2 = ah::one_layer_quadratic_loss_centered(C, mom, n);
      EXPECT_NEAR(f1, f2, 1e-10 * (1 + std::abs(f1))) << rep;
      EXPECT_GE(f1, o.loss - 1e-12) << rep;
    }
  }
  // the gradient vanishes at C*: f(C* + tE) - f(C* - tE) = 0 exactly (no linear term), at 70 digits
  precision_guard guard(70);
  matrix<mp_real> Sig(3, 3);
  Sig << 2, mp_real(1) / 3, 0, mp_real(1) / 3, 1, mp_real(-1) / 5, 0, mp_real(-1) / 5, mp_real(1) / 2;
  const auto mom = ah::sphere_moments<mp_real>(3);
  const auto gm = ah::gaussian_moments(Sig);
  for (const auto* m : {&mom, &gm}) {
    const auto o = ah::one_layer_optimum_for(*m, 4);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        matrix<mp_real> E = matrix<mp_real>::Zero(3, 3);
        E(i, j) = mp_real("1e-3");
        const mp_real up = ah::one_layer_quadratic_loss(matrix<mp_real>(o.C_star + E), *m, 4);
        const mp_real dn = ah::one_layer_quadratic_loss(matrix<mp_real>(o.C_star - E), *m, 4);
        EXPECT_TRUE(agrees50(up, dn)) << i << j;
        EXPECT_GT(up, o.loss);
      }
  }
}

TEST(BoundsAhn2023Identities, TestLengthLawProperties) {
  boost::random::mt19937 g(5u);
  for (int rep = 0; rep < 20; ++rep) {
    const int d = 1 + rep % 6, N = 1 + (rep * 13) % 60;
    const auto lam = random_spectrum(g, d);
    double prev = HUGE_VAL;
    for (int M : {1, 2, 5, 10, 50, 1000, 100000}) {
      const double R = ah::zfb_test_error(lam, N, M);
      EXPECT_LT(R, prev) << rep << " M=" << M;  // decreasing in M
      EXPECT_GE(ah::zfb_corollary43_bound(lam, N, M), R) << rep << " M=" << M;
      EXPECT_GT(R, ah::zfb_test_error_limit(lam, N));
      prev = R;
    }
  }
}

TEST(BoundsAhn2023Identities, MultistepStructure) {
  for (auto [d, n] : {std::pair{5, 20}, {5, 5}, {10, 10}, {2, 50}, {8, 3}}) {
    const auto o1 = ah::multistep_gd_optimum<double>(d, n, 1);
    const auto o2 = ah::multistep_gd_optimum<double>(d, n, 2);
    // L = 1 is Theorem 1 (isotropic): a = n/(n+d+1), f = d(d+1)/(n+d+1)
    EXPECT_NEAR(o1.loss, ah::theorem1_isotropic_loss<double>(d, n), 1e-13);
    EXPECT_NEAR(o1.steps[0], ah::vo_optimal_step<double>(d, n), 1e-14);
    EXPECT_LT(o2.loss, o1.loss);
    EXPECT_LT(o2.steps[0], o2.steps[1]);
    EXPECT_GT(o2.steps[0], 0);
    // step order is irrelevant; perturbing a step raises the loss
    EXPECT_NEAR(ah::multistep_gd_loss<double>(d, n, {o2.steps[1], o2.steps[0]}), o2.loss, 1e-12);
    for (double e : {-1e-3, 1e-3}) {
      EXPECT_GT(ah::multistep_gd_loss<double>(d, n, {o2.steps[0] + e, o2.steps[1]}), o2.loss);
      EXPECT_GT(ah::multistep_gd_loss<double>(d, n, {o2.steps[0], o2.steps[1] + e}), o2.loss);
    }
    EXPECT_DOUBLE_EQ(ah::multistep_gd_loss<double>(d, n, {}), d);
  }
}

TEST(BoundsAhn2023Identities, BadInputThrows) {
  EXPECT_THROW(ah::multistep_gd_optimum<double>(5, 20, 3), std::domain_error);
  EXPECT_THROW(ah::multistep_gd_optimum<double>(5, 20, 0), std::domain_error);
  EXPECT_THROW(ah::multistep_gd_loss<double>(5, 20, {0.1, 0.2, 0.3}), std::domain_error);
  EXPECT_THROW(ah::theorem1_loss<double>({1.0}, 0), std::domain_error);
  EXPECT_THROW(ah::theorem1_loss<double>({}, 3), std::domain_error);
  EXPECT_THROW(ah::zfb_test_error<double>({1.0}, 3, 0), std::domain_error);
  EXPECT_THROW(ah::theorem5_q0<double>(0, 3), std::domain_error);
}

TEST(BoundsAhn2023Identities, VonOswaldWeightsDoOneGdStep) {
  // e_j <- e_j + P W_V sum_i e_i e_i^T W_K^T W_Q e_j maps (x_j, y_j) to (x_j, y_j - dW x_j),
  // dW = -(eta/N) sum_i (W0 x_i - y_i) x_i^T (spec 2.5), checked on a small prompt.
  boost::random::mt19937 g(3u);
  boost::random::uniform_real_distribution<double> u(-1, 1);
  const int nx = 3, ny = 1, N = 4;
  matrix<double> W0(ny, nx), E(nx + ny, N + 1);
  for (int j = 0; j < nx; ++j) W0(0, j) = u(g);
  for (int i = 0; i < nx + ny; ++i)
    for (int j = 0; j <= N; ++j) E(i, j) = u(g);
  E(nx, N) = -(W0 * E.topRows(nx).col(N))(0);  // query slot starts at -W0 x_q
  const double eta = 0.7;
  const auto w = ah::vo_one_step_weights<double>(W0, eta, N);
  const matrix<double> Ectx = E.leftCols(N);
  const matrix<double> out = E + w.P * w.W_V * Ectx * Ectx.transpose() * w.W_K.transpose() * w.W_Q * E;
  matrix<double> dW = matrix<double>::Zero(ny, nx);
  for (int i = 0; i < N; ++i) dW -= (eta / N) * (W0 * Ectx.topRows(nx).col(i) - Ectx.bottomRows(ny).col(i)) * Ectx.topRows(nx).col(i).transpose();
  for (int j = 0; j <= N; ++j) {
    for (int i = 0; i < nx; ++i) EXPECT_NEAR(out(i, j), E(i, j), 1e-15);
    EXPECT_NEAR(out(nx, j), E(nx, j) - (dW * E.topRows(nx).col(j))(0), 1e-14) << j;
  }
  // read-out: the negated query slot is (W0 + dW) x_q
  EXPECT_NEAR(-out(nx, N), ((W0 + dW) * E.topRows(nx).col(N))(0), 1e-14);
}

}  // namespace
