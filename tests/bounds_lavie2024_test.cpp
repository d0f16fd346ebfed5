// Tests of bounds/lavie2024 (S_L representation theory of the reconstructed Transformer NNGP
// kernels, spec lavie2024-transformer-gp-limit.md 1.3, 2.2-2.4, 3) against the independent
// reference tests/data/lavie2024_reference.json (tests/reference/lavie2024_reference.py: f^lambda by
// counting standard tableaux, s_lambda(1^V) by counting semistandard tableaux, characters by
// Frobenius' formula, traces by enumerating [V]^L and all of S_L with fractions, spectra by numpy
// diagonalisation of the full operator, eigenlearning by mpmath.findroot), plus exact identities at
// sizes the reference cannot reach (sum f s(1^V) = V^L to L = 20, sum f^2 = L!, column
// orthogonality at L = 8, sum of isotypic traces = Tr T at L = 16, the closed forms at L = 12..17).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bounds/common/scalar.hpp"
#include "bounds/lavie2024/characters.hpp"
#include "bounds/lavie2024/closed_forms.hpp"
#include "bounds/lavie2024/kernel_traces.hpp"
#include "bounds/lavie2024/learnability.hpp"
#include "bounds/lavie2024/learning_curves.hpp"
#include "bounds/lavie2024/young.hpp"
#include "reference_data.hpp"

namespace {

namespace lv = attnbound::bounds::lavie2024;
using attnbound::lower;
using attnbound::mp_interval;
using attnbound::mp_real;
using attnbound::precision_guard;
using attnbound::upper;
using lv::big_int;
using lv::partition;
using lv::rational;
using nlohmann::json;

const json& reference() { return attnbound::test::reference_data("lavie2024_reference.json"); }

partition to_partition(const json& a) { return a.get<std::vector<int>>(); }
rational exact(const json& s) { return rational(s.get<std::string>()); }
template <class S>
S number(const json& s) { return attnbound::test::parse_rational<S>(s.get<std::string>()); }

TEST(Lavie2024Bounds, IrrepDimensionsEqualStandardTableauxCounts) {
  int n = 0;
  for (const auto& e : reference().at("irrep_dimensions")) {
    EXPECT_EQ(lv::irrep_dimension(to_partition(e.at("lambda"))), big_int(e.at("f").get<std::string>()));
    ++n;
  }
  EXPECT_EQ(n, 507);  // all partitions of 1..14
}

TEST(Lavie2024Bounds, SchurAtOnesEqualsSemistandardTableauxCounts) {
  for (const auto& e : reference().at("schur_at_ones"))
    EXPECT_EQ(lv::schur_at_ones(to_partition(e.at("lambda")), e.at("V").get<int>()),
              big_int(e.at("value").get<std::string>()));
}

TEST(Lavie2024Bounds, CharactersEqualFrobeniusFormula) {
  // character() (characters.hpp) and the row version of kernel_traces.hpp, entry by entry.
  for (int L = 1; L <= 8; ++L) {
    const auto mus = lv::partitions(L);
    for (const auto& lambda : mus) {
      const auto row = lv::detail::character_row(lambda, mus);
      for (std::size_t j = 0; j < mus.size(); ++j) EXPECT_EQ(row[j], lv::character(lambda, mus[j]));
    }
  }
  int n = 0;
  for (const auto& e : reference().at("characters")) {
    const partition lambda = to_partition(e.at("lambda")), mu = to_partition(e.at("mu"));
    const big_int want(e.at("chi").get<std::string>());
    EXPECT_EQ(lv::character(lambda, mu), want) << lv::to_string(lambda) << " at " << lv::to_string(mu);
    EXPECT_EQ(lv::detail::character_row(lambda, {mu}).at(0), want);
    ++n;
  }
  EXPECT_EQ(n, 918);
}

TEST(Lavie2024Bounds, TracesEqualEnumeration) {
  for (const auto& c : reference().at("traces")) {
    const char kernel = c.at("kernel").get<std::string>().at(0);
    const int V = c.at("V"), L = c.at("L");
    SCOPED_TRACE(std::string(1, kernel) + " V=" + std::to_string(V) + " L=" + std::to_string(L));
    EXPECT_EQ(lv::operator_trace(kernel, V, L), exact(c.at("operator_trace")));
    for (const auto& m : c.at("expected_permuted"))
      EXPECT_EQ(lv::expected_kernel_permuted(kernel, V, to_partition(m.at("mu"))), exact(m.at("value")));
    const auto all = lv::isotypic_traces(kernel, V, L);
    const auto lams = lv::partitions(L);
    ASSERT_EQ(c.at("isotypic").size(), lams.size());
    for (const auto& t : c.at("isotypic")) {
      const partition lambda = to_partition(t.at("lambda"));
      const rational want = exact(t.at("trace"));
      EXPECT_EQ(lv::isotypic_trace(kernel, V, lambda), want) << lv::to_string(lambda);
      const auto at = std::find(lams.begin(), lams.end(), lambda) - lams.begin();
      EXPECT_EQ(all.at(at), want) << lv::to_string(lambda);
    }
  }
}

TEST(Lavie2024Bounds, ExpectedKernelIgnoresPartOrder) {
  EXPECT_EQ(lv::expected_kernel_permuted('D', 3, {1, 3, 2}), lv::expected_kernel_permuted('D', 3, {3, 2, 1}));
}

TEST(Lavie2024Bounds, KernelAV2SpectrumEqualsDiagonalisation) {
  precision_guard guard(50);
  for (const auto& c : reference().at("kernel_A_V2")) {
    const int L = c.at("L");
    SCOPED_TRACE("L=" + std::to_string(L));
    // the reference's clusters (descending) against the closed form's entries, merged by value
    auto spec_d = lv::kernel_A_V2_spectrum<double>(L);
    auto spec_m = lv::kernel_A_V2_spectrum<mp_real>(L);
    std::vector<std::pair<double, long>> merged;
    for (const auto& e : spec_d) merged.emplace_back(e.value, e.multiplicity);
    std::sort(merged.begin(), merged.end(), [](auto a, auto b) { return a.first > b.first; });
    std::vector<std::pair<double, long>> clusters;
    for (auto [v, m] : merged) {
      if (!clusters.empty() && std::abs(clusters.back().first - v) <= 1e-9) clusters.back().second += m;
      else clusters.emplace_back(v, m);
    }
    const auto& ev = c.at("eigenvalues");
    ASSERT_EQ(ev.size(), clusters.size());
    for (std::size_t i = 0; i < ev.size(); ++i) {
      EXPECT_NEAR(clusters[i].first, std::stod(ev[i].at("value").get<std::string>()), 1e-13);
      EXPECT_EQ(clusters[i].second, ev[i].at("multiplicity").get<long>());
    }
    // double and 50-digit MPFR agree; the mp_interval enclosure contains the MPFR value
    const auto spec_i = lv::kernel_A_V2_spectrum<mp_interval>(L);
    ASSERT_EQ(spec_m.size(), spec_d.size());
    for (std::size_t i = 0; i < spec_m.size(); ++i) {
      EXPECT_NEAR(spec_d[i].value, static_cast<double>(spec_m[i].value), 1e-15);
      EXPECT_LE(lower(spec_i[i].value), spec_m[i].value);
      EXPECT_GE(upper(spec_i[i].value), spec_m[i].value);
      EXPECT_LT(upper(spec_i[i].value) - lower(spec_i[i].value), mp_real("1e-45"));
    }
    // per-irrep eigenvalues (reference: P_lambda T P_lambda)
    if (c.contains("irrep_eigenvalues"))
      for (const auto& r : c.at("irrep_eigenvalues")) {
        const partition lambda = to_partition(r.at("lambda"));
        std::vector<double> mine;
        for (const auto& e : spec_d)
          if (e.irrep == lambda)
            for (long k = 0; k < e.multiplicity; ++k) mine.push_back(e.value);
        std::sort(mine.rbegin(), mine.rend());
        ASSERT_EQ(mine.size(), r.at("values").size()) << lv::to_string(lambda);
        for (std::size_t i = 0; i < mine.size(); ++i)
          EXPECT_NEAR(mine[i], std::stod(r.at("values")[i].get<std::string>()), 1e-13);
      }
    // the [L] block by class sums (exact) and tr(M^j) = the power sums (exact)
    if (c.contains("block")) {
      const auto M = lv::kernel_A_V2_symmetric_block(L);
      for (int k = 0; k <= L; ++k)
        for (int kp = 0; kp <= L; ++kp) EXPECT_EQ(M[k][kp], exact(c.at("block")[k][kp]));
      for (int j = 1; j <= L + 1; ++j)
        EXPECT_EQ(lv::kernel_A_V2_power_sum(L, {L}, j), exact(c.at("block_power_traces")[j - 1])) << "j=" << j;
    }
  }
}

/// tr(M^j), j = 1..J, for an exact square matrix M = N / c with N integer (c = the common
/// denominator): integer matrix powers, tr(M^j) = tr(N^j) / c^j.
std::vector<rational> power_traces(const std::vector<std::vector<rational>>& M, int J) {
  const std::size_t n = M.size();
  big_int c = 1;
  for (const auto& row : M)
    for (const auto& v : row) c = boost::multiprecision::lcm(c, denominator(v));
  std::vector<std::vector<big_int>> N(n, std::vector<big_int>(n)), P;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < n; ++b) N[a][b] = numerator(M[a][b] * rational(c));
  P = N;
  std::vector<rational> out;
  big_int cj = c;
  for (int j = 1; j <= J; ++j) {
    big_int t = 0;
    for (std::size_t i = 0; i < n; ++i) t += P[i][i];
    out.push_back(rational(t, cj));
    std::vector<std::vector<big_int>> next(n, std::vector<big_int>(n));
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t m = 0; m < n; ++m)
        for (std::size_t b = 0; b < n; ++b) next[a][b] += P[a][m] * N[m][b];
    P = std::move(next);
    cj *= c;
  }
  return out;
}

TEST(Lavie2024Bounds, KernelAV2ClosedFormsAtLargerL) {
  // exact: the [L] block's power traces are the closed form's (equal spectra, Newton) at L = 14,
  // and the isotypic traces of A at V = 2 are the closed form's first power sums at L = 12, 17
  // (support only on [L] and [L-1,1]), and the trace is L(L+1)/16.
  const int L = 14;
  const auto t = power_traces(lv::kernel_A_V2_symmetric_block(L), L + 1);
  for (int j = 1; j <= L + 1; ++j) EXPECT_EQ(t[j - 1], lv::kernel_A_V2_power_sum(L, {L}, j)) << "j=" << j;
  for (int big : {12, 17}) {
    const auto lams = lv::partitions(big);
    const auto traces = lv::isotypic_traces('A', 2, big);
    for (std::size_t i = 0; i < lams.size(); ++i)
      EXPECT_EQ(traces[i], lv::kernel_A_V2_power_sum(big, lams[i], 1)) << lv::to_string(lams[i]);
    EXPECT_EQ(lv::operator_trace('A', 2, big), rational(big * (big + 1), 16));
  }
}

TEST(Lavie2024Bounds, KernelDTwoRowEigenvalueEqualsDiagonalisation) {
  int n = 0;
  for (const auto& c : reference().at("kernel_D_two_row")) {
    const int V = c.at("V"), L = c.at("L");
    ASSERT_EQ(c.at("eigenvalues").size(), 1u);
    EXPECT_NEAR(lv::kernel_D_two_row_eigenvalue<double>(V, L),
                std::stod(c.at("eigenvalues")[0].at("value").get<std::string>()), 1e-14);
    // the multiplicity is f^lambda times a whole number of copies, and matches the exact trace
    const partition lambda = to_partition(c.at("lambda"));
    const long mult = c.at("eigenvalues")[0].at("multiplicity");
    EXPECT_EQ(lv::kernel_D_two_row_multiplicity(V, lambda), mult);
    EXPECT_EQ(lv::isotypic_trace('D', V, lambda), rational(mult, 2 * V * V * L));
    ++n;
  }
  EXPECT_EQ(n, 10);
}

TEST(Lavie2024Bounds, KernelDTwoRowTraceAtLargerL) {
  // Tr(P_lambda T) = multiplicity x 1/(2 V^2 L) exactly (the only nonzero eigenvalue of these
  // components, NOTES.md 3.2), beyond the reference's V <= 4, L <= 7.
  for (auto [V, L] : {std::pair{2, 12}, std::pair{3, 12}, std::pair{4, 10}, std::pair{5, 9}}) {
    for (const partition& lambda : {partition{L - 2, 2}, partition{L - 2, 1, 1}}) {
      const rational want = rational(lv::kernel_D_two_row_multiplicity(V, lambda)) / (2 * V * V * L);
      EXPECT_EQ(lv::isotypic_trace('D', V, lambda), want) << lv::to_string(lambda) << " V=" << V;
    }
  }
  EXPECT_EQ(lv::kernel_D_two_row_multiplicity(2, {5, 1, 1}), 0);
  EXPECT_THROW((void)lv::kernel_D_two_row_multiplicity(3, {5, 1}), std::domain_error);
}

TEST(Lavie2024Bounds, ExactIdentitiesAtLargerL) {
  for (int L = 1; L <= 20; ++L) {
    const auto lams = lv::partitions(L);
    big_int sum_f2 = 0;
    for (const auto& lambda : lams) {
      const big_int f = lv::irrep_dimension(lambda);
      sum_f2 += f * f;
    }
    EXPECT_EQ(sum_f2, lv::factorial(L)) << "L=" << L;
    for (int V = 1; V <= 5; ++V) {
      big_int total = 0, vl = 1;
      for (const auto& lambda : lams) total += lv::isotypic_dimension(lambda, V);
      for (int i = 0; i < L; ++i) vl *= V;
      EXPECT_EQ(total, vl) << "V=" << V << " L=" << L;
    }
  }
  // column orthogonality at L = 8: sum_lambda chi(mu) chi(nu) = delta_{mu nu} L!/|C_mu|
  const auto mus = lv::partitions(8);
  std::vector<std::vector<big_int>> table;
  for (const auto& lambda : mus) table.push_back(lv::detail::character_row(lambda, mus));
  for (std::size_t a = 0; a < mus.size(); ++a)
    for (std::size_t b = 0; b < mus.size(); ++b) {
      big_int s = 0;
      for (std::size_t l = 0; l < mus.size(); ++l) s += table[l][a] * table[l][b];
      EXPECT_EQ(s, a == b ? lv::factorial(8) / lv::class_size(mus[a]) : big_int(0));
    }
  // sum over lambda of Tr(P_lambda T) = Tr T at L = 16 (exact), and traces of a positive operator >= 0
  for (char kernel : {'A', 'C', 'D'}) {
    const auto traces = lv::isotypic_traces(kernel, 3, 16);
    rational s = 0;
    for (const auto& t : traces) {
      EXPECT_GE(t, 0);
      s += t;
    }
    EXPECT_EQ(s, lv::operator_trace(kernel, 3, 16)) << kernel;
    EXPECT_EQ(traces.at(0) + traces.at(1) + traces.at(2) + traces.at(3), s) << "support beyond two rows, " << kernel;
  }
}

TEST(Lavie2024Bounds, TraceDomainErrors) {
  EXPECT_THROW(lv::isotypic_trace('B', 2, {3, 1}), std::invalid_argument);
  EXPECT_THROW(lv::expected_kernel_permuted('B', 2, {2, 1}), std::invalid_argument);
  EXPECT_THROW(lv::isotypic_traces('Z', 2, 4), std::invalid_argument);
  EXPECT_THROW(lv::isotypic_trace('A', 0, {2}), std::invalid_argument);
  EXPECT_THROW(lv::isotypic_trace('A', 2, {1, 2}), std::invalid_argument);
  EXPECT_EQ(lv::operator_trace('B', 2, 3), rational(3 + 3 * 2 / 2, 8));  // E B(x,x)/V^3, E B = L + L(L-1)/V
  EXPECT_THROW((void)lv::kernel_A_V2_spectrum<double>(1), std::domain_error);
  EXPECT_THROW((void)lv::kernel_A_V2_power_sum(5, {5}, 0), std::domain_error);
  EXPECT_THROW((void)lv::kernel_A_V2_power_sum(5, {4}, 1), std::domain_error);
  EXPECT_EQ(lv::kernel_A_V2_power_sum(5, {3, 2}, 2), 0);
  EXPECT_THROW((void)lv::kernel_D_two_row_eigenvalue<double>(2, 3), std::domain_error);
}

TEST(Lavie2024Bounds, EigenlearningEqualsMpmath) {
  precision_guard guard(60);
  for (const auto& c : reference().at("eigenlearning")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    std::vector<lv::mode_group<double>> gd;
    std::vector<lv::mode_group<mp_real>> gm;
    for (const auto& g : c.at("groups")) {
      gd.push_back({number<double>(g[0]), number<double>(g[1]), number<double>(g[2])});
      gm.push_back({number<mp_real>(g[0]), number<mp_real>(g[1]), number<mp_real>(g[2])});
    }
    const auto dd = lv::eigenlearning(gd, number<double>(c.at("delta")), number<double>(c.at("eps2")),
                                      number<double>(c.at("P")));
    const auto dm = lv::eigenlearning(gm, number<mp_real>(c.at("delta")), number<mp_real>(c.at("eps2")),
                                      number<mp_real>(c.at("P")));
    auto near_d = [](double got, const json& want) {
      const double w = std::stod(want.get<std::string>());
      EXPECT_NEAR(got, w, 1e-12 * std::max(1.0, std::abs(w)));
    };
    auto near_m = [](const mp_real& got, const json& want) {
      const mp_real w(want.get<std::string>());
      EXPECT_LE(abs(got - w), mp_real("1e-35") * std::max(mp_real(1e-300), abs(w)) + mp_real("1e-45"))
          << got.str(45) << " vs " << w.str(45);
    };
    near_d(dd.kappa, c.at("kappa"));
    near_d(dd.e0, c.at("e0"));
    near_d(dd.test_mse, c.at("test_mse"));
    near_d(dd.train_mse, c.at("train_mse"));
    near_m(dm.kappa, c.at("kappa"));
    near_m(dm.e0, c.at("e0"));
    near_m(dm.test_mse, c.at("test_mse"));
    near_m(dm.train_mse, c.at("train_mse"));
    ASSERT_EQ(dm.learnability.size(), c.at("learnability").size());
    for (std::size_t i = 0; i < dm.learnability.size(); ++i) {
      near_d(dd.learnability[i], c.at("learnability")[i]);
      near_m(dm.learnability[i], c.at("learnability")[i]);
    }
    if (c.contains("ek_test_mse")) {
      const auto ed = lv::equivalent_kernel(gd, number<double>(c.at("delta")), number<double>(c.at("eps2")),
                                            number<double>(c.at("P")));
      const auto em = lv::equivalent_kernel(gm, number<mp_real>(c.at("delta")), number<mp_real>(c.at("eps2")),
                                            number<mp_real>(c.at("P")));
      near_d(ed.test_mse, c.at("ek_test_mse"));
      near_m(em.test_mse, c.at("ek_test_mse"));
      EXPECT_EQ(em.e0, 1);
      EXPECT_LE(em.test_mse, dm.test_mse);  // kappa >= delta/P
      for (std::size_t i = 0; i < em.learnability.size(); ++i) {
        near_m(em.learnability[i], c.at("ek_learnability")[i]);
        EXPECT_GE(em.learnability[i], dm.learnability[i]);
      }
    }
  }
}

TEST(Lavie2024Bounds, EigenlearningConservationAndDomain) {
  // sum m L_i = P - delta/kappa (the conservation law behind the P/M bound)
  std::vector<lv::mode_group<double>> g = {{0.9, 1, 0.5}, {0.2, 4, 0.5}, {0.01, 50, 0}, {0, 10, 0}};
  for (double delta : {0.0, 0.05, 3.0}) {
    const double P = 7;
    const auto r = lv::eigenlearning(g, delta, 0.0, P);
    double sum = 0;
    for (std::size_t i = 0; i < g.size(); ++i) sum += g[i].multiplicity * r.learnability[i];
    EXPECT_NEAR(sum + delta / r.kappa, P, 1e-12);
    EXPECT_GT(r.kappa, delta / P);
    for (std::size_t i = 0; i < g.size(); ++i) EXPECT_LE(r.learnability[i], P / g[i].multiplicity);
  }
  EXPECT_THROW((void)lv::effective_ridge(g, 0.0, 55.0), std::domain_error);  // P >= 55 nonzero modes
  EXPECT_NO_THROW((void)lv::effective_ridge(g, 0.0, 54.5));
  EXPECT_THROW((void)lv::effective_ridge(g, -1.0, 5.0), std::domain_error);
  EXPECT_THROW((void)lv::effective_ridge(g, 1.0, 0.0), std::domain_error);
  EXPECT_THROW((void)lv::effective_ridge(std::vector<lv::mode_group<double>>{{-1, 1, 0}}, 1.0, 1.0),
               std::domain_error);
  EXPECT_THROW((void)lv::effective_ridge(std::vector<lv::mode_group<double>>{{NAN, 1, 0}}, 1.0, 1.0),
               std::domain_error);
  EXPECT_THROW((void)lv::equivalent_kernel(g, 0.0, 0.0, 5.0), std::domain_error);
  EXPECT_THROW((void)lv::eigenlearning(g, 1.0, -0.1, 5.0), std::domain_error);
  // all eigenvalues zero: kappa = delta/P, nothing learnt
  const auto z = lv::eigenlearning(std::vector<lv::mode_group<double>>{{0, 3, 1}}, 2.0, 0.0, 4.0);
  EXPECT_DOUBLE_EQ(z.kappa, 0.5);
  EXPECT_DOUBLE_EQ(z.test_mse, 1.0);
  // tiny eigenvalues, ridgeless: the lower bracket halves down to them
  const auto tiny = lv::effective_ridge(std::vector<lv::mode_group<double>>{{1e-200, 3, 0}}, 0.0, 1.5);
  EXPECT_NEAR(tiny / 1e-200, 1.0, 1e-12);  // 3 l/(l + k) = 1.5 -> k = l
}

TEST(Lavie2024Bounds, LearnabilityBoundsForCandidateA) {
  // A at V = 2: top [L-1,1] eigenvalue eta = L/32 with f = L - 1, Tr T = L(L+1)/16:
  // tightness eta f / Tr T = (L-1)/(2(L+1)) exactly; EK learnability <= trace bound; the
  // eigenlearning learnability of the group <= P / f.
  precision_guard guard(50);
  for (int L : {4, 8, 16, 32}) {
    const auto spec = lv::kernel_A_V2_spectrum<mp_real>(L);
    const mp_real eta = spec[3].value, f(L - 1), tr = lv::detail::to_scalar<mp_real>(rational(L * (L + 1), 16));
    ASSERT_EQ(spec[3].irrep, (partition{L - 1, 1}));
    EXPECT_LE(abs(lv::tightness_ratio(eta, f, tr) - mp_real(L - 1) / (2 * mp_real(L + 1))), mp_real("1e-48"));
    for (double P : {1.0, 10.0, 100.0}) {
      const mp_real sigma2(1), Pm(P);
      EXPECT_LE(lv::ek_learnability(eta, sigma2, Pm), lv::trace_bound(tr, f, sigma2, Pm));
      std::vector<lv::mode_group<mp_real>> groups;
      for (const auto& e : spec) groups.push_back({e.value, mp_real(e.multiplicity), mp_real(0)});
      const auto r = lv::eigenlearning(groups, sigma2, mp_real(0), Pm);
      EXPECT_LE(r.learnability[3], lv::conservation_bound(Pm, f));
      EXPECT_LE(r.learnability[3], lv::ek_learnability(eta, sigma2, Pm));
    }
  }
  // interval enclosures contain the MPFR values
  const mp_interval ti = lv::trace_bound(mp_interval(3), mp_interval(7), mp_interval("0.1"), mp_interval(5));
  const mp_real tm = lv::trace_bound(mp_real(3), mp_real(7), mp_real("0.1"), mp_real(5));
  EXPECT_LE(lower(ti), tm);
  EXPECT_GE(upper(ti), tm);
  EXPECT_DOUBLE_EQ(lv::trace_bound(3.0, 7.0, 0.0, 5.0), 1.0);
  EXPECT_DOUBLE_EQ(lv::conservation_bound(6.0, 4.0), 1.5);
  EXPECT_DOUBLE_EQ(lv::scaling_law_samples(2.0, 2.0, 2, 10), 2.0 * 2.0 * 100 / 2);  // sigma^2 f^mu L^k / k!
  EXPECT_DOUBLE_EQ(lv::scaling_law_samples(1.0, 1.0, 0, 10), 1.0);
  EXPECT_THROW((void)lv::trace_bound(0.0, 1.0, 1.0, 1.0), std::domain_error);
  EXPECT_THROW((void)lv::trace_bound(1.0, 1.0, -1.0, 1.0), std::domain_error);
  EXPECT_THROW((void)lv::conservation_bound(0.0, 1.0), std::domain_error);
  EXPECT_THROW((void)lv::ek_learnability(0.0, 0.0, 1.0), std::domain_error);
  EXPECT_THROW((void)lv::tightness_ratio(1.0, 0.0, 1.0), std::domain_error);
  EXPECT_THROW((void)lv::scaling_law_samples(1.0, 1.0, -1, 4), std::domain_error);
  EXPECT_THROW((void)lv::trace_bound(mp_interval(1), mp_interval(1), mp_interval(1), mp_interval(-1)),
               std::domain_error);
}

}  // namespace
