#include "claims/bound_registry.hpp"

#include <mpfr.h>

#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "bounds/ahn2023/multistep_gd.hpp"
#include "bounds/ahn2023/one_layer.hpp"
#include "bounds/ahn2023/relu_attention.hpp"
#include "bounds/ahn2023/von_oswald.hpp"
#include "bounds/ahn2023/zfb_test_length.hpp"
#include "bounds/arda2026/all_terms.hpp"
#include "bounds/arda2026/required_width.hpp"
#include "bounds/cayci2024/gradient.hpp"
#include "bounds/common/scalar.hpp"
#include "bounds/lavie2024/closed_forms.hpp"
#include "bounds/lavie2024/kernel_traces.hpp"
#include "bounds/lavie2024/learnability.hpp"
#include "bounds/lavie2024/learning_curves.hpp"
#include "bounds/lavie2024/young.hpp"
#include "bounds/li2024/convergence.hpp"
#include "bounds/li2024/signal_rates.hpp"
#include "bounds/li2024/stage_times.hpp"
#include "bounds/li2024/test_loss.hpp"

namespace attnbound::claims {

namespace ab = attnbound::bounds::arda2026;

namespace {

/// N significant digits, scientific, via MPFR's own correctly rounded printf.
std::string sig_digits(const mp_real& x, unsigned digits) {
  char* buf = nullptr;
  mpfr_asprintf(&buf, "%.*Re", static_cast<int>(digits) - 1, x.backend().data());
  std::string s(buf);
  mpfr_free_str(buf);
  return s;
}

std::string integer_text(const mp_real& x) {
  char* buf = nullptr;
  mpfr_asprintf(&buf, "%.0Rf", x.backend().data());
  std::string s(buf);
  mpfr_free_str(buf);
  return s;
}

ab::config<mp_real> make_config(const param_values& p) {
  return ab::config_from_decimals<mp_real>([&](const char* key) { return p.text.at(key); });
}

nlohmann::json theorem1_labels() {
  const std::string rec = "reconstructed (explicit form of Theorem 1, bounds/arda2026/NOTES.md)";
  return {{"B_U", "exact (Definition 1)"},
          {"B_U0", "exact (Definition 1, without the rho_u/sqrt(m) term)"},
          {"L1", "exact (Lemma 2)"},
          {"L2", "exact (Lemma 2)"},
          {"B_lin", "exact (Lemma 3)"},
          {"B_app", "exact as printed (Lemma 5); the paper's constant has a proof gap (spec 4.9a)"},
          {"B_app_safe", "reconstructed (justified replacement of Lemma 5 on E_U, spec 4.9a)"},
          {"eps_pool", "reconstructed (teacher's Monte Carlo label error, spec 4.9a; 0 if pool=0)"},
          {"eps_CoF", rec},
          {"r_max", rec},
          {"G2", rec},
          {"rhs_best", rec + "; min-iterate bound"},
          {"rhs_avg", rec + "; average-iterate bound"},
          {"trivial_bound", "r_max^2: any rhs above it is vacuous"},
          {"grad_W_f_bound", "reconstructed (Lemma 1 with ||M||_F <= 1): sup ||grad_W f||_F, T-free"}};
}

std::vector<param_spec> cayci2024_bound_params() {
  using K = param_kind;
  return {
      {"T", K::integer, "16", "16", 1, 1e6, "sequence length (recurrent steps)"},
      {"m", K::even_integer, "64", "64", 2, 1e15, "neurons (even)"},
      {"u", K::real, "1.5", "1.5", 0, 1e6, "max_i |u_i| at initialization (paper: 1.5)"},
      {"rho_u", K::real, "3", "3", 0, 1e6, "radius of u around the initialization (times 1/sqrt m)"},
      {"rho_c", K::real, "3", "3", 0, 1e6, "radius of c around the initialization (times 1/sqrt m)"},
      {"r", K::real, "1", "1", 0, 1e300, "residual bound r >= sqrt(L_n) (1: f = 0 on standardized labels)"},
  };
}

nlohmann::json cayci2024_terms(const param_values& p, unsigned digits) {
  namespace bc = attnbound::bounds::cayci2024;
  precision_guard guard(digits + 20);
  bc::config<mp_real> c;
  c.T = p.get_int("T");
  c.m = mp_real(p.text.at("m"));
  c.u_max = mp_real(p.text.at("u"));
  c.rho_u = mp_real(p.text.at("rho_u"));
  c.rho_c = mp_real(p.text.at("rho_c"));
  c.sigma = bounds::tanh_constants<mp_real>();
  const mp_real a = bc::alpha(c), r(p.text.at("r"));
  const int reg = bc::regime(a);
  nlohmann::json terms = {{"alpha", sig_digits(a, digits)},
                          {"Lambda_T", sig_digits(bc::Lambda_T(c), digits)},
                          {"grad_u_f_bound", sig_digits(bc::grad_u_f_bound(c), digits)},
                          {"grad_u_loss_bound", sig_digits(bc::grad_u_loss_bound(c, r), digits)},
                          {"regime", std::to_string(reg)}};
  if (a > 0) terms["log_alpha"] = sig_digits(log(a), digits);  // no decimal for log 0
  const std::string rec = "reconstructed (bounds/cayci2024/NOTES.md)";
  nlohmann::json labels = {
      {"alpha", rec + ": sigma1 (u + rho_u/sqrt m), tanh sigma1 = 1"},
      {"log_alpha", "log(alpha): the bound's growth rate per step when alpha > 1 (absent when alpha = 0)"},
      {"Lambda_T", rec + ": sum_{k=0}^{T-1} alpha^k"},
      {"grad_u_f_bound", rec + ": sup ||grad_u f||_2 = sigma0 sigma1 (1 + rho_c/sqrt m) Lambda_T"},
      {"grad_u_loss_bound", rec + ": ||grad_u L_n||_2 <= 2 r grad_u_f_bound, r >= sqrt(L_n)"},
      {"regime", std::string("-1: alpha < 1, below the cutoff (Lambda_T <= 1/(1 - alpha), T-free); "
                             "0: alpha = 1 (Lambda_T = T); 1: alpha > 1, exponential (Lambda_T ~ alpha^T). "
                             "Here: ") + (reg < 0 ? "alpha < 1" : reg > 0 ? "alpha > 1" : "alpha = 1")}};
  return {{"terms", terms}, {"labels", labels}};
}


// ---- Ahn et al. 2023 / von Oswald et al. / Zhang-Frei-Bartlett (bounds/ahn2023, NOTES.md) ----
namespace ah = attnbound::bounds::ahn2023;

std::vector<mp_real> mp_list(const std::string& text) {
  std::vector<mp_real> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) v.emplace_back(item);
  return v;
}

/// Runs a bounds/ahn2023 evaluation; a domain error of the closed forms is bad input (exit 2).
template <class F>
nlohmann::json ahn2023_guarded(const std::string& id, F&& f) {
  try {
    return f();
  } catch (const std::domain_error& e) {
    throw bad_input(id + ": " + e.what());
  }
}

/// Eigenvalues of Sigma: the listed (distinct) values, padded with 1 up to d. Parameter lists
/// cannot repeat a value, so repeated unit eigenvalues come from the padding: the [AHN-a]
/// spectrum (1,1,0.25,0.0625,1) is d=5, eigenvalues=0.25,0.0625 (the loss depends on the
/// multiset only).
std::vector<mp_real> spectrum(const std::string& id, const param_values& p) {
  const int d = p.get_int("d");
  auto lam = mp_list(p.text.at("eigenvalues"));
  if (static_cast<int>(lam.size()) > d)
    throw bad_input(fmt::format("{}: {} eigenvalues listed but d={}", id, lam.size(), d));
  while (static_cast<int>(lam.size()) < d) lam.emplace_back(1);
  return lam;
}

const char* kLossNoHalf = "loss E(y_hat - y)^2 without 1/2 ([ZFB]/[VO] values with 1/2 are half of this)";

std::vector<param_spec> ahn2023_one_layer_params() {
  using K = param_kind;
  return {{"d", K::integer, "5", "5", 1, 1e6, "covariate dimension"},
          {"n", K::integer, "20", "20", 1, 1e9, "context pairs n (Setting 1: 20, Setting 2: 5)"},
          {"eigenvalues", K::real_list, "1", "1", 1e-12, 1e12,
           "distinct eigenvalues of Sigma, padded with 1 up to d (Gaussian covariates; [AHN-a]: "
           "d=5, eigenvalues=0.25,0.0625)"}};
}

nlohmann::json ahn2023_one_layer_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int n = p.get_int("n");
  const auto lam = spectrum("ahn2023.one-layer", p);
  nlohmann::json terms, labels;
  terms["f_star"] = sig_digits(ah::theorem1_loss(lam, n), digits);
  labels["f_star"] = std::string("derived (spec 2.1, MC-verified): sum_i l_i (l_i + T)/((n+1) l_i + T) at "
                                 "Theorem 1's exact minimizer; ") + kLossNoHalf;
  mp_real tr(0);
  for (const auto& l : lam) tr += l;
  terms["f_zero"] = sig_digits(tr, digits);
  labels["f_zero"] = "exact: loss of predicting 0 (= tr Sigma)";
  const auto gi = ah::theorem1_gamma_inverse(lam, n);
  for (std::size_t i = 0; i < gi.size(); ++i) {
    const std::string k = "q_star_" + std::to_string(i + 1);
    terms[k] = sig_digits(mp_real(-gi[i]), digits);
    labels[k] = "exact (Theorem 1): eigenvalue " + std::to_string(i + 1) +
                " of Q* = -Gamma_n^{-1} (code parameterization), -n/((n+1) l_i + T)";
  }
  return {{"terms", terms}, {"labels", labels}};
}

std::vector<param_spec> ahn2023_law_params() {
  using K = param_kind;
  return {{"d", K::integer, "5", "5", 1, 1e6, "covariate dimension"},
          {"n", K::integer, "20", "20", 1, 1e9, "context pairs"},
          {"k", K::real, "0.1", "0.1", 1e-12, 1e12, "shape of r^2 ~ Gamma(k, theta) (Setting 3: 0.1)"},
          {"theta", K::real, "10", "10", 1e-12, 1e12, "scale of r^2 ~ Gamma(k, theta) (Setting 3: 10)"},
          {"a", K::real, "1", "1", 1e-12, 1e12, "cube U(-a,a)^d ([VO] paper 1, code 0.5)"}};
}

nlohmann::json ahn2023_law_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int d = p.get_int("d"), n = p.get_int("n");
  const mp_real k(p.text.at("k")), theta(p.text.at("theta")), a(p.text.at("a"));
  const auto sph = ah::one_layer_optimum_for(ah::sphere_moments<mp_real>(d), n);
  const auto gam = ah::one_layer_optimum_for(ah::radial_gamma_moments<mp_real>(d, k, theta), n);
  const auto cub = ah::one_layer_optimum_for(ah::cube_moments<mp_real>(d, a), n);
  const std::string der = "derived (spec 2.2, MC-verified): f* = tr Sigma - tr(G^{-1} Sigma^3), G = K4/n + (n-1)/n Sigma^2; ";
  nlohmann::json terms = {{"f_star_sphere", sig_digits(sph.loss, digits)},
                          {"q_star_sphere", sig_digits(mp_real(-sph.C_star(0, 0)), digits)},
                          {"f_star_gamma", sig_digits(gam.loss, digits)},
                          {"q_star_gamma", sig_digits(mp_real(-gam.C_star(0, 0)), digits)},
                          {"f_star_cube", sig_digits(cub.loss, digits)},
                          {"eta_star_cube", sig_digits(cub.C_star(0, 0), digits)}};
  nlohmann::json labels = {
      {"f_star_sphere", der + "x ~ Unif(S^{d-1}); " + kLossNoHalf},
      {"q_star_sphere", "derived (spec 2.2): Q* = q I for the sphere"},
      {"f_star_gamma", der + "x = r u, r^2 ~ Gamma(k, theta); " + kLossNoHalf},
      {"q_star_gamma", "derived (spec 2.2): Q* = q I for the gamma radial law"},
      {"f_star_cube", der + "[VO] x ~ U(-a,a)^d; " + kLossNoHalf},
      {"eta_star_cube", "derived (spec 2.2/2.5): optimal one-step GD step size of the [VO] construction"}};
  return {{"terms", terms}, {"labels", labels}};
}

std::vector<param_spec> ahn2023_multistep_params() {
  using K = param_kind;
  return {{"d", K::integer, "5", "5", 1, 1e6, "covariate dimension"},
          {"n", K::integer, "20", "20", 1, 1e9, "context pairs"},
          {"L", K::integer, "2", "2", 1, 2, "GD steps = sparse layers (only 1, 2: L >= 3 needs m_5, m_6)"}};
}

nlohmann::json ahn2023_multistep_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int d = p.get_int("d"), n = p.get_int("n"), L = p.get_int("L");
  const auto o = ah::multistep_gd_optimum<mp_real>(d, n, L);
  nlohmann::json terms = {{"f_star", sig_digits(o.loss, digits)}};
  nlohmann::json labels = {{"f_star", std::string("derived (spec 2.4, MC-verified): min over scalar steps of "
                                                  "E tr p(S)^2 = 1/(H^{-1})_00, H_ij = m_{i+j} (Wishart moments); "
                                                  "an upper bound on the trained L-layer loss; ") + kLossNoHalf}};
  for (std::size_t l = 0; l < o.steps.size(); ++l) {
    const std::string key = "step_" + std::to_string(l + 1);
    terms[key] = sig_digits(o.steps[l], digits);
    labels[key] = "derived (spec 2.4): optimal GD step a_" + std::to_string(l + 1) + " (ascending; order irrelevant)";
  }
  terms["theorem5_q0"] = sig_digits(ah::theorem5_q0<mp_real>(d, n), digits);
  labels["theorem5_q0"] = "exact (Theorem 5, formula from secondary copies): ReLU-attention one-layer Q_0 = q [[I,0],[0,0]]";
  return {{"terms", terms}, {"labels", labels}};
}

std::vector<param_spec> zhang2024_params() {
  using K = param_kind;
  return {{"N", K::integer, "20", "20", 1, 1e9, "training prompt length"},
          {"M", K::integer, "100", "100", 1, 1e12, "test prompt length"},
          {"d", K::integer, "5", "5", 1, 1e6, "covariate dimension"},
          {"eigenvalues", K::real_list, "1", "1", 1e-12, 1e12, "distinct eigenvalues of Lambda, padded with 1 up to d"}};
}

nlohmann::json zhang2024_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int N = p.get_int("N"), M = p.get_int("M");
  const auto lam = spectrum("zhang2024.test-length", p);
  nlohmann::json terms = {{"R", sig_digits(ah::zfb_test_error(lam, N, M), digits)},
                          {"R_limit", sig_digits(ah::zfb_test_error_limit(lam, N), digits)},
                          {"R_train_length", sig_digits(ah::zfb_test_error(lam, N, N), digits)},
                          {"corollary43", sig_digits(ah::zfb_corollary43_bound(lam, N, M), digits)}};
  nlohmann::json labels = {
      {"R", std::string("derived (spec 2.6, MC-verified): exact noiseless test error at length M of the "
                        "Theorem 4.1 model trained at length N; ") + kLossNoHalf},
      {"R_limit", "derived (spec 2.6): lim_{M -> inf} R(N, M) = Theta(1/N^2)"},
      {"R_train_length", "derived: R(N, N) = Theorem 1's f*"},
      {"corollary43", "reconstructed symbols ([ZFB] Corollary 4.3, no 1/2): (d+1) tr L/M + (tr L + 2d tr L + "
                      "tr(L^{-1}) (tr L)^2)/N^2 >= R"}};
  return {{"terms", terms}, {"labels", labels}};
}

// ---- Li et al. 2024: SignGD on a two-layer Transformer (bounds/li2024, NOTES.md) ----
namespace l24 = attnbound::bounds::li2024;

/// Runs a bounds/li2024 evaluation; a domain error of the closed forms is bad input (exit 2).
template <class F>
nlohmann::json li2024_guarded(const std::string& id, F&& f) {
  try {
    return f();
  } catch (const std::domain_error& e) {
    throw bad_input(id + ": " + e.what());
  }
}

const char* kLi2024Rec = "reconstructed (bounds/li2024/NOTES.md; the paper's constants are unknown)";

std::vector<param_spec> li2024_scale_params() {
  using K = param_kind;
  return {{"d", K::integer, "10000", "10000", 2, 2e9, "dimension (noise on coordinates 2..d)"},
          {"n", K::integer, "20", "20", 1, 1e9, "training samples"},
          {"s", K::integer, "50", "50", 1, 1e9, "noise sparsity (<= d-1)"},
          {"sigma_p", K::real, "1", "1", 1e-300, 1e300, "noise standard deviation on the support"},
          {"mu_norm", K::real, "1", "1", 0, 1e300, "||mu|| = ||mu||_1 (mu = ||mu|| e_1)"},
          {"m_k", K::integer, "10", "10", 1, 1e9, "query/key neurons"},
          {"m_v", K::integer, "10", "10", 1, 1e9, "value neurons per sign"},
          {"sigma0", K::real, "0.01", "0.01", 0, 1e300, "initialization scale"},
          {"eta", K::real, "0.001", "0.001", 1e-300, 1e300, "SignGD step size"}};
}

nlohmann::json li2024_scale_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int d = p.get_int("d"), n = p.get_int("n"), s = p.get_int("s"), m_k = p.get_int("m_k"), m_v = p.get_int("m_v");
  const mp_real sigma_p(p.text.at("sigma_p")), mu(p.text.at("mu_norm")), sigma0(p.text.at("sigma0")), eta(p.text.at("eta"));
  const mp_real union_factor = l24::support_miss_union_bound<mp_real>(d, n, s);  // checks 1 <= s <= d-1
  const mp_real xi1 = l24::expected_xi_l1(sigma_p, s);
  const auto band = l24::log_loss_slope_band(eta, xi1, xi1);
  const std::string rec = kLi2024Rec;
  nlohmann::json terms = {
      {"stage1_scale", sig_digits(l24::stage1_scale(sigma0, eta, s, m_v), digits)},
      {"stage2_scale", sig_digits(l24::stage2_scale(sigma0, eta, s, m_k, n), digits)},
      {"stage3_scale", sig_digits(l24::stage3_scale(sigma0, eta, m_k), digits)},
      {"expected_xi_l1", sig_digits(xi1, digits)},
      {"expected_xi_l2sq", sig_digits(l24::expected_xi_l2sq(sigma_p, s), digits)},
      {"value_noise_rate", sig_digits(l24::value_noise_increment(eta, xi1), digits)},
      {"value_signal_rate", sig_digits(l24::value_signal_increment(eta, mu), digits)},
      {"slope_band_lo", sig_digits(band.lo, digits)},
      {"slope_band_hi", sig_digits(band.hi, digits)},
      {"snr_l2", sig_digits(l24::snr_l2(mu, sigma_p, s), digits)},
      {"snr_l1", sig_digits(l24::snr_l1(mu, sigma_p, s), digits)},
      {"gd_signal_noise_ratio", sig_digits(l24::gd_signal_noise_ratio(n, mu, sigma_p, s), digits)},
      {"signgd_signal_noise_ratio", sig_digits(l24::signgd_signal_noise_ratio(mu, sigma_p, s), digits)},
      {"union_miss_factor", sig_digits(union_factor, digits)}};
  nlohmann::json labels = {
      {"stage1_scale", rec + ": ORDER only, sigma0/(eta sqrt(s m_v)) (spec 4.2; T_1 itself is exact per sample, stage1_end)"},
      {"stage2_scale", rec + ": ORDER only, sigma0 sqrt(log(m_k n))/(eta sqrt s) ~ T_2 - T_1"},
      {"stage3_scale", rec + ": ORDER only, sigma0 sqrt(log m_k)/eta ~ T_3 - T_2"},
      {"expected_xi_l1", "exact in the reconstructed data model: E||xi||_1 = s sigma_p sqrt(2/pi)"},
      {"expected_xi_l2sq", "exact in the reconstructed data model: E||xi||_2^2 = s sigma_p^2"},
      {"value_noise_rate", rec + ": exact per-step law 2 eta ||xi_i||_1 (disjoint supports), here at E||xi||_1"},
      {"value_signal_rate", rec + ": exact per-step law 2 eta ||mu||_1 of <v, mu>"},
      {"slope_band_lo", rec + ": steepest slope per step of log L_S after Stage IV, -4 eta max||xi||_1, here at E||xi||_1"},
      {"slope_band_hi", rec + ": shallowest slope per step of log L_S after Stage IV, -2 eta min||xi||_1, here at E||xi||_1"},
      {"snr_l2", "candidate SNR ||mu||/(sigma_p sqrt s) (the paper's definition is unknown)"},
      {"snr_l1", "candidate SNR ||mu||_1/E||xi||_1 (the paper's definition is unknown)"},
      {"gd_signal_noise_ratio", rec + ": GD value-signal rate / one sample's value-noise rate, n ||mu||^2/(s sigma_p^2) (balanced early step)"},
      {"signgd_signal_noise_ratio", rec + ": SignGD value-signal rate / one sample's value-noise rate, ||mu||_1/E||xi||_1 (every step)"},
      {"union_miss_factor", rec + ": the spec's 1 - n s^2/(d-1) <= P(test support misses all training supports); "
                                  "printed as is, also when negative"}};
  const long ns = static_cast<long>(n) * s;
  if (ns <= static_cast<long>(d) - 1) {
    terms["miss_probability_disjoint"] =
        sig_digits(l24::support_miss_probability<mp_real>(d, s, static_cast<int>(ns)), digits);
    labels["miss_probability_disjoint"] = rec + ": exact C(d-1-ns, s)/C(d-1, s) for n disjoint supports (ns touched coordinates)";
  } else {
    terms["miss_probability_disjoint"] = "none";
    labels["miss_probability_disjoint"] = "none: n s > d-1, n disjoint supports do not fit";
  }
  return {{"terms", terms}, {"labels", labels}};
}

std::vector<param_spec> li2024_test_loss_params() {
  using K = param_kind;
  return {{"d", K::integer, "10000", "10000", 2, 2e9, "dimension (noise on coordinates 2..d)"},
          {"n", K::integer, "20", "20", 1, 1e9, "training samples"},
          {"s", K::integer, "50", "50", 1, 1e9, "noise sparsity (<= d-1)"},
          {"sigma_p", K::real, "1", "1", 0, 1e300, "noise standard deviation on the support"},
          {"value_signal", K::real, "0.1", "0.1", -1e300, 1e300, "<v^(t), mu> at the horizon (e.g. T_eps)"},
          {"mean_v0_sq", K::real, "2e-5", "2e-5", 0, 1e300,
           "mean of v^(0)_k^2 over the untouched coordinates (expected 2 sigma0^2/m_v)"},
          {"touched", K::integer, "1000", "1000", 0, 2e9, "coordinates touched by the training supports (<= n s, <= d-1)"}};
}

nlohmann::json li2024_test_loss_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int d = p.get_int("d"), n = p.get_int("n"), s = p.get_int("s"), touched = p.get_int("touched");
  if (static_cast<long>(touched) > static_cast<long>(n) * s)
    throw bad_input(fmt::format("li2024.test-loss: touched={} exceeds n s = {} (n supports of size s)", touched,
                                static_cast<long>(n) * s));
  const mp_real sigma_p(p.text.at("sigma_p")), vs(p.text.at("value_signal")), m2(p.text.at("mean_v0_sq"));
  const mp_real P = l24::support_miss_probability<mp_real>(d, s, touched);
  const mp_real u = l24::support_miss_union_bound<mp_real>(d, n, s);
  const std::string rec = kLi2024Rec;
  nlohmann::json terms = {{"miss_probability", sig_digits(P, digits)},
                          {"union_miss_factor", sig_digits(u, digits)},
                          {"lower_bound", sig_digits(l24::test_loss_lower_bound(P, vs, sigma_p, s, m2), digits)},
                          {"log2", sig_digits(l24::log2_reference<mp_real>(), digits)}};
  nlohmann::json labels = {
      {"miss_probability", rec + ": exact C(d-1-touched, s)/C(d-1, s)"},
      {"union_miss_factor", rec + ": the spec's 1 - n s^2/(d-1), printed as is (may be negative)"},
      {"lower_bound", rec + ": L_D >= P_miss log(1 + exp(-2 (value_signal)_+ - 2 sigma_p sqrt(s mean_v0_sq))) "
                            "(sgn(0) = 0, softmax rows sum to 1, Jensen)"},
      {"log2", "exact: the loss of f = 0, the bound's limit when the exponent is o(1)"}};
  return {{"terms", terms}, {"labels", labels}};
}

// ---- Lavie, Gur-Ari, Ringel 2024: S_L irreps of the Transformer NNGP (bounds/lavie2024, NOTES.md) ----
namespace lv24 = attnbound::bounds::lavie2024;

/// Runs a bounds/lavie2024 evaluation; a domain error of the closed forms is bad input (exit 2).
template <class F>
nlohmann::json lavie2024_guarded(const std::string& id, F&& f) {
  try {
    return f();
  } catch (const std::domain_error& e) {
    throw bad_input(id + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw bad_input(id + ": " + e.what());
  }
}

std::vector<param_spec> lavie2024_irreps_params() {
  using K = param_kind;
  return {{"V", K::integer, "3", "3", 1, 1000, "vocabulary size"},
          {"L", K::integer, "6", "6", 1, 20, "context length (number of positions; partitions of L)"}};
}

nlohmann::json lavie2024_irreps_terms(const param_values& p) {
  const int V = p.get_int("V"), L = p.get_int("L");
  nlohmann::json terms = nlohmann::json::object(), labels = nlohmann::json::object();
  lv24::big_int total = 0, power = 1;
  for (int i = 0; i < L; ++i) power *= V;
  for (const auto& lambda : lv24::partitions(L)) {
    const std::string name = lv24::to_string(lambda);
    const lv24::big_int f = lv24::irrep_dimension(lambda), s = lv24::schur_at_ones(lambda, V);
    terms["f" + name] = f.str();
    terms["s" + name] = s.str();
    terms["dim" + name] = lv24::big_int(f * s).str();
    labels["f" + name] = "exact maths: f^lambda, dimension of the S_L irrep (hook-length formula)";
    labels["s" + name] = "exact maths: s_lambda(1^V), copies of the irrep in functions on [V]^L (hook-content; 0 if more than V rows)";
    labels["dim" + name] = "exact maths: dimension f^lambda s_lambda(1^V) of the isotypic component";
    total += f * s;
  }
  terms["total_dim"] = total.str();
  terms["V^L"] = power.str();
  labels["total_dim"] = "exact maths: sum of the isotypic dimensions (Schur-Weyl: equals V^L)";
  labels["V^L"] = "exact: dimension of functions on [V]^L";
  return {{"terms", terms}, {"labels", labels}};
}

std::vector<param_spec> lavie2024_learnability_params() {
  using K = param_kind;
  return {{"L", K::integer, "8", "8", 2, 1000, "context length (candidate A, V = 2)"},
          {"P", K::real, "50", "50", 1e-300, 1e300, "training samples"},
          {"sigma2", K::real, "1", "1", 0, 1e300, "GP noise / ridge sigma^2 (delta)"}};
}

nlohmann::json lavie2024_learnability_terms(const param_values& p, unsigned digits) {
  precision_guard guard(digits + 20);
  const int L = p.get_int("L");
  const mp_real P(p.text.at("P")), sigma2(p.text.at("sigma2"));
  const auto spectrum = lv24::kernel_A_V2_spectrum<mp_real>(L);
  const lv24::partition standard{L - 1, 1};
  const mp_real eta = spectrum.at(3).value;  // [L-1,1]: L/4 (times 1/8), the top eigenvalue of [L-1,1]
  const mp_real f = lv24::detail::to_scalar<mp_real>(lv24::rational(lv24::irrep_dimension(standard)));
  const mp_real trace = lv24::detail::to_scalar<mp_real>(lv24::operator_trace('A', 2, L));
  std::vector<lv24::mode_group<mp_real>> groups;
  for (const auto& e : spectrum) groups.push_back({e.value, mp_real(e.multiplicity), mp_real(0)});
  const auto el = lv24::eigenlearning(groups, sigma2, mp_real(0), P);
  const std::string rec = "reconstructed (bounds/lavie2024/NOTES.md; the paper's constants are unknown)";
  nlohmann::json terms = {
      {"trace_T", sig_digits(trace, digits)},
      {"f_[L-1,1]", sig_digits(f, digits)},
      {"eta_top_[L-1,1]", sig_digits(eta, digits)},
      {"isotypic_trace_[L-1,1]",
       sig_digits(lv24::detail::to_scalar<mp_real>(lv24::kernel_A_V2_power_sum(L, standard, 1)), digits)},
      {"tightness_ratio", sig_digits(lv24::tightness_ratio(eta, f, trace), digits)},
      {"trace_bound", sig_digits(lv24::trace_bound(trace, f, sigma2, P), digits)},
      {"conservation_bound", sig_digits(lv24::conservation_bound(P, f), digits)},
      {"ek_learnability", sig_digits(lv24::ek_learnability(eta, sigma2, P), digits)},
      {"eigenlearning_kappa", sig_digits(el.kappa, digits)},
      {"eigenlearning_learnability", sig_digits(el.learnability.at(3), digits)}};
  nlohmann::json labels = {
      {"trace_T", "exact for K_A = h B/(L V^3) at V = 2: E_x K(x,x) = L(L+1)/16 (union-find expectation)"},
      {"f_[L-1,1]", "exact maths: f^[L-1,1] = L - 1"},
      {"eta_top_[L-1,1]", rec + ": the [L-1,1] eigenvalue L/32 of T (spec 2.3 table times 1/8; derived in NOTES 3.1)"},
      {"isotypic_trace_[L-1,1]", rec + ": Tr(P_[L-1,1] T) = (L-1)(L/4 + (L-2)/(4L))/8"},
      {"tightness_ratio", rec + ": eta f / Tr T = (L-1)/(2(L+1))"},
      {"trace_bound", rec + ": Tr T/(Tr T + f sigma^2/P) >= the EK learnability of any [L-1,1] target (spec 2.4 (i))"},
      {"conservation_bound", rec + ": P/f >= the eigenlearning learnability of any [L-1,1] mode (spec 2.4 (ii); > 1 says nothing)"},
      {"ek_learnability", rec + ": eta/(eta + sigma^2/P) of the top [L-1,1] mode (equivalent kernel)"},
      {"eigenlearning_kappa", rec + ": effective ridge kappa solving sum m lambda/(lambda+kappa) + sigma^2/kappa = P over the closed-form spectrum"},
      {"eigenlearning_learnability", rec + ": eta/(eta + kappa) of the top [L-1,1] mode (<= EK learnability, <= both bounds)"}};
  return {{"terms", terms}, {"labels", labels}};
}

}  // namespace

std::vector<param_spec> arda2026_bound_params() {
  using K = param_kind;
  return {
      {"d", K::integer, "8", "8", 1, 1e6, "token dimension"},
      {"m", K::even_integer, "64", "64", 2, 1e15, "number of heads (even)"},
      {"n", K::integer, "4000", "4000", 1, 1e15, "training samples (paper: 5000 split 80/20)"},
      {"tau", K::integer, "4000", "4000", 1, 1e15, "ProjGD steps"},
      {"delta", K::probability, "0.05", "0.05", 0, 1, "Lemma 5 failure probability"},
      {"delta_prime", K::probability, "0.05", "0.05", 0, 1, "Definition 1 failure probability"},
      {"rho_c", K::real, "3", "3", 1e-12, 1e6, "projection radius (c)"},
      {"rho_u", K::real, "3", "3", 1e-12, 1e6, "projection radius (U)"},
      {"rho_w", K::real, "3", "3", 1e-12, 1e6, "projection radius (W)"},
      {"nu_c", K::real, "3", "3", 1e-12, 1e6, "transport sup-norm (c)"},
      {"nu_u", K::real, "3", "3", 1e-12, 1e6, "transport sup-norm (U)"},
      {"nu_w", K::real, "3", "3", 1e-12, 1e6, "transport sup-norm (W)"},
      {"eta_factor", K::real, "1", "1", 1e-12, 1e6, "eta = eta_factor/sqrt(tau) (paper 1; code 1.75)"},
      {"pool", K::integer, "0", "0", 0, 1e15, "teacher pool size (0: exact labels)"},
      {"delta_pool", K::probability, "0.001", "0.001", 0, 1, "teacher pool failure probability"},
  };
}

const std::vector<bound_entry>& bound_registry() {
  static const std::vector<bound_entry> entries = [] {
    std::vector<bound_entry> e;
    e.push_back({"arda2026.theorem1",
                 "Arda et al. 2026: Definition 1, Lemmas 2, 3, 5 and the explicit Theorem 1 / "
                 "Proposition 1 bounds",
                 "reconstructed", arda2026_bound_params(),
                 [](const param_values& p, unsigned digits) {
                   precision_guard guard(digits + 20);
                   const auto c = make_config(p);
                   nlohmann::json terms = nlohmann::json::object();
                   for (const auto& [name, value] : ab::theorem1_terms(c))
                     terms[name] = sig_digits(value, digits);
                   return nlohmann::json{{"terms", terms}, {"labels", theorem1_labels()}};
                 }});
    auto rw_params = arda2026_bound_params();
    rw_params.push_back({"epsilon", param_kind::real, "1", "1", 1e-300, 1e300,
                         "target error for the required width"});
    e.push_back({"arda2026.required-width",
                 "Arda et al. 2026 section 4.12: smallest even m with B_app <= epsilon (m_app) "
                 "and with rhs_best <= epsilon at tau (m_thm)",
                 "reconstructed", rw_params,
                 [](const param_values& p, unsigned digits) {
                   precision_guard guard(digits + 20);
                   const auto c = make_config(p);
                   const mp_real eps(p.text.at("epsilon"));
                   const auto mt = ab::m_thm(c, eps);
                   nlohmann::json terms = {{"m_app", integer_text(ab::m_app(c, eps))},
                                           {"m_thm", mt ? integer_text(*mt) : "none"}};
                   nlohmann::json labels = {
                       {"m_app", "exact algebra on Lemma 5's B_app (the paper's constant)"},
                       {"m_thm", "reconstructed: smallest even m with rhs_best <= epsilon at tau; "
                                 "'none' when the minimum of rhs_best over m exceeds epsilon (no "
                                 "width suffices at this tau)"}};
                   return nlohmann::json{{"terms", terms}, {"labels", labels}};
                 }});
    e.push_back({"cayci2024.indrnn",
                 "Cayci & Eryilmaz 2024 / Arda et al. 2026 section 4.13: the IndRNN's recurrent "
                 "constant alpha, Lambda_T = sum_{k<T} alpha^k, its regime and the grad_u bounds",
                 "reconstructed", cayci2024_bound_params(),
                 [](const param_values& p, unsigned digits) { return cayci2024_terms(p, digits); }});
    e.push_back({"ahn2023.one-layer",
                 "Ahn et al. 2023a Theorem 1: one-layer linear attention optimum f* and Q* = -Gamma_n^{-1}, "
                 "Gaussian covariates with the given eigenvalues, w ~ N(0, I)",
                 "reconstructed", ahn2023_one_layer_params(),
                 [](const param_values& p, unsigned digits) {
                   return ahn2023_guarded("ahn2023.one-layer", [&] { return ahn2023_one_layer_terms(p, digits); });
                 }});
    e.push_back({"ahn2023.one-layer-law",
                 "Ahn et al. 2023 / [VO] (spec 2.2): one-layer optimum for the sphere, the gamma radial law "
                 "(Setting 3) and the [VO] cube",
                 "reconstructed", ahn2023_law_params(),
                 [](const param_values& p, unsigned digits) {
                   return ahn2023_guarded("ahn2023.one-layer-law", [&] { return ahn2023_law_terms(p, digits); });
                 }});
    e.push_back({"ahn2023.multistep-gd",
                 "Ahn et al. 2023a (spec 2.4): optimal L-step GD (sparse L-layer model, scalar steps) loss and "
                 "steps for x, w ~ N(0, I), L = 1, 2; Theorem 5's ReLU Q_0",
                 "reconstructed", ahn2023_multistep_params(),
                 [](const param_values& p, unsigned digits) {
                   return ahn2023_guarded("ahn2023.multistep-gd", [&] { return ahn2023_multistep_terms(p, digits); });
                 }});
    e.push_back({"zhang2024.test-length",
                 "Zhang, Frei, Bartlett 2024 (spec 2.6): test error R(N, M) of the trained one-layer model, its "
                 "M -> infinity limit and the Corollary 4.3 bound",
                 "reconstructed", zhang2024_params(),
                 [](const param_values& p, unsigned digits) {
                   return ahn2023_guarded("zhang2024.test-length", [&] { return zhang2024_terms(p, digits); });
                 }});
    e.push_back({"li2024.stage-scales",
                 "Li et al. 2024 (spec 4.1-4.3, 4.6): SignGD stage scales (order only), E||xi||, per-step value "
                 "rates, log-loss slope band, SNRs, GD vs SignGD signal/noise rate ratios, support miss factors",
                 "reconstructed", li2024_scale_params(),
                 [](const param_values& p, unsigned digits) {
                   return li2024_guarded("li2024.stage-scales", [&] { return li2024_scale_terms(p, digits); });
                 }});
    e.push_back({"li2024.test-loss",
                 "Li et al. 2024 (spec 4.4): test-loss lower bound of the SignGD-trained model with the exact "
                 "support miss probability, next to log 2",
                 "reconstructed", li2024_test_loss_params(),
                 [](const param_values& p, unsigned digits) {
                   return li2024_guarded("li2024.test-loss", [&] { return li2024_test_loss_terms(p, digits); });
                 }});
    e.push_back({"lavie2024.irreps",
                 "Lavie et al. 2024 (spec 2.2): S_L irreps lambda |- L with f^lambda, s_lambda(1^V) and the isotypic "
                 "dimension on [V]^L; the dimensions sum to V^L",
                 "exact", lavie2024_irreps_params(),
                 [](const param_values& p, unsigned) {
                   return lavie2024_guarded("lavie2024.irreps", [&] { return lavie2024_irreps_terms(p); });
                 }});
    e.push_back({"lavie2024.learnability",
                 "Lavie et al. 2024 (spec 2.3-2.4, 3): candidate A at V = 2, Tr T, f^[L-1,1], trace and conservation "
                 "bounds, EK and eigenlearning learnability of the top [L-1,1] mode from the closed-form spectrum",
                 "reconstructed", lavie2024_learnability_params(),
                 [](const param_values& p, unsigned digits) {
                   return lavie2024_guarded("lavie2024.learnability",
                                            [&] { return lavie2024_learnability_terms(p, digits); });
                 }});
    return e;
  }();
  return entries;
}

const bound_entry* find_bound(const std::string& id) {
  for (const auto& b : bound_registry())
    if (b.id == id) return &b;
  return nullptr;
}

}  // namespace attnbound::claims
