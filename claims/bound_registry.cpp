#include "claims/bound_registry.hpp"

#include <mpfr.h>

#include <fmt/format.h>

#include "bounds/arda2026/all_terms.hpp"
#include "bounds/arda2026/required_width.hpp"
#include "bounds/cayci2024/gradient.hpp"
#include "bounds/common/scalar.hpp"

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
