// li2024.exact-laws — the per-step laws of SignGD in the reconstructed two-layer Transformer
// (spec li2024-signgd-two-layer-transformer.md 4.1 and 6.1, [reconstructed, derived]). With the
// training noise supports pairwise disjoint, mu = ||mu|| e_1, l'_i != 0 and no softmax entry 0,
// every SignGD step moves
//   <v, y_i xi_i>        by 2 eta ||xi_i||_1,     <v, mu>        by 2 eta ||mu||_1,
//   <w_Q,s, y_i xi_i>    by -eta sgn(l'_i A_i B_{i,s}) ||xi_i||_1,
//   <w_K,s, y_i xi_i>    by +eta sgn(l'_i A_i D_{i,s}) ||xi_i||_1,
//   <w_Q,s, mu>          by -eta ||mu||_1 sgn(sum_i l'_i A_i s_{i,11} s_{i,12} B_{i,s}),
//   <w_K,s, mu>          by -eta ||mu||_1 sgn(sum_i l'_i A_i D_{i,s}),
// A_i = <v,mu> - <v,y_i xi_i>, B_{i,s} = key signal_s - key noise_{s,i},
// D_{i,s} = s11 s12 query signal_s + s21 s22 query noise_{s,i} (magnitudes:
// bounds/li2024/per_step_laws.hpp; signs from the model's quantities at W^(t)).
//
// Tolerance (a rounding scale, derived): every tracked scalar is a sum of at most s products
// x_k w_k, so in any summation order its computed value is within gamma_{s+m+3} S of the exact
// one, S = sum_k |x_k| |w_k| (w_k a weight, or for v the mean of |entries| over the m_v rows of
// both value blocks), gamma_K = K u / (1 - K u), u = 2^-53 (Higham, Thm 3.1 / eq. 3.4; the
// m_v + 2 extra terms cover v's row means). Each stored weight after the step is
// fl(w - eta sgn g), within u |w^(t+1)| of the exact move. So
//   |measured Delta - law| <= gamma_K (S^(t) + 2 S^(t+1) + |law|),  K = s + max(m_k, m_v) + 3
// (|law| covers the rounding of eta ||xi_i||_1 itself). Values are ~eta sigma_p s, the scale
// ~1e-14 of them: a real deviation from a law (a step of eta on one coordinate, ~eta sigma_p)
// is 1e11 times larger.
// Signs the laws need are decided only when they are unambiguous at this rounding: sgn(A_i) and
// sgn(B_{i,s}) are the model's own values bit for bit (same operations); D_{i,s} and the two
// signal sums are decided when larger than twice their rounding bound gamma_K sum |terms|
// (the model and this check each lie within it of the exact value); otherwise the check is
// skipped as "sign undecided". Checks are also skipped where the spec's preconditions fail:
// l'_i = 0, a softmax entry of sample i exactly 0 (then every check of sample i, and the signal
// checks, which sum over all samples), or a product of the law's factors below 1e-280 (near the
// subnormal range the model's coefficient can flush to 0 while the exact law predicts a move).
// Negative control (not in the verdict): the same checks on independently drawn, overlapping
// supports (disjoint = 0, small d), where a coordinate's gradient sums several samples and the
// laws are not expected to hold.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "bounds/li2024/per_step_laws.hpp"
#include "claims/li2024/claims.hpp"
#include "claims/li2024/common.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"

namespace attnbound::claims::li2024 {

namespace {

const char* const claim_id = "li2024.exact-laws";
constexpr double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;
constexpr double underflow_floor = 1e-280;

double gamma_k(int k) { return k * unit_roundoff / (1 - k * unit_roundoff); }
double sgn(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

enum quantity { value_noise, value_signal, query_noise, key_noise, query_signal, key_signal, quantity_count };
const std::array<const char*, quantity_count> quantity_label = {
    "value noise <v, y_i xi_i>", "value signal <v, mu>",       "query noise <w_Q,s, y_i xi_i>",
    "key noise <w_K,s, y_i xi_i>", "query signal <w_Q,s, mu>", "key signal <w_K,s, mu>"};
const std::array<const char*, quantity_count> quantity_law = {
    "+2 eta ||xi_i||_1", "+2 eta ||mu||_1", "-eta sgn(l'_i A_i B_is) ||xi_i||_1", "+eta sgn(l'_i A_i D_is) ||xi_i||_1",
    "-eta ||mu||_1 sgn(sum_i l'_i A_i s11 s12 B_is)", "-eta ||mu||_1 sgn(sum_i l'_i A_i D_is)"};

struct check_case {
  int t = -1, s = -1, i = -1;  // step W^(t) -> W^(t+1); neuron s and sample i where they apply
  double measured = 0, law = 0, tol = 0;
};

struct tally {
  long checks = 0, magnitude_failures = 0, direction_failures = 0;
  double max_ratio = 0;  // max |measured - law| / tol
  check_case worst, first_failure;
  bool failed = false;
  void add(const check_case& c) {
    ++checks;
    const double err = std::abs(c.measured - c.law), ratio = err / c.tol;
    if (ratio > max_ratio || worst.t < 0) max_ratio = std::max(max_ratio, ratio), worst = c;
    if (err > c.tol) {
      if (std::abs(std::abs(c.measured) - std::abs(c.law)) <= c.tol) ++direction_failures;
      else ++magnitude_failures;
      if (!failed) first_failure = c, failed = true;
    }
  }
  long failures() const { return magnitude_failures + direction_failures; }
};

struct skip_counts {
  long l_prime_zero = 0, softmax_zero = 0, underflow = 0, sign_undecided = 0;
  long total() const { return l_prime_zero + softmax_zero + underflow + sign_undecided; }
};

struct rep_result {
  std::array<tally, quantity_count> q;
  skip_counts skip;
  std::vector<std::array<double, quantity_count>> step_ratio;  // per step: max |error|/tol
  std::vector<double> step_fail_fraction;                      // per step: failed / checked
  long checks() const {
    long c = 0;
    for (const auto& t : q) c += t.checks;
    return c;
  }
  long failures() const {
    long c = 0;
    for (const auto& t : q) c += t.failures();
    return c;
  }
};

// The tracked scalars at one iterate and the rounding sums S of each (see the file comment).
struct snapshot {
  ml::tracked_scalars ts;
  std::vector<double> SV;    // sum_k |xi_ik| (mean_r |W+_rk| + mean_r |W-_rk|)
  double SV0 = 0;            // ||mu|| (mean_r |W+_r0| + mean_r |W-_r0|)
  Eigen::MatrixXd SQ, SK;    // sum_k |xi_ik| |W_Q,sk|, |W_K,sk|  (m_k x n)
  Eigen::VectorXd SQ0, SK0;  // ||mu|| |W_Q,s0|, ||mu|| |W_K,s0|
};

snapshot take_snapshot(const setting& st, const std::vector<ml::signal_noise_sample>& data, const ml::attention_params& W) {
  snapshot sn;
  sn.ts = ml::track(W, st.law, data);
  const double mv = static_cast<double>(W.WVp.rows());
  auto vabs = [&](int k) { return (W.WVp.col(k).cwiseAbs().sum() + W.WVm.col(k).cwiseAbs().sum()) / mv; };
  const Eigen::Index m_k = W.WQ.rows(), n = static_cast<Eigen::Index>(data.size());
  sn.SV.assign(data.size(), 0.0);
  sn.SQ = Eigen::MatrixXd::Zero(m_k, n);
  sn.SK = Eigen::MatrixXd::Zero(m_k, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& xi = data[static_cast<std::size_t>(i)].xi;
    for (std::size_t j = 0; j < xi.index.size(); ++j) {
      const int k = xi.index[j];
      const double a = std::abs(xi.value[j]);
      sn.SV[static_cast<std::size_t>(i)] += a * vabs(k);
      sn.SQ.col(i) += a * W.WQ.col(k).cwiseAbs();
      sn.SK.col(i) += a * W.WK.col(k).cwiseAbs();
    }
  }
  sn.SV0 = st.law.mu_norm * vabs(0);
  sn.SQ0 = st.law.mu_norm * W.WQ.col(0).cwiseAbs();
  sn.SK0 = st.law.mu_norm * W.WK.col(0).cwiseAbs();
  return sn;
}

// Compares the step W^(t) -> W^(t+1) (snapshots a, b) with the laws; law_factor scales every
// closed-form magnitude (1 = the laws; anything else is a deliberately wrong law).
void compare_step(const setting& st, const std::vector<ml::signal_noise_sample>& data, const std::vector<double>& xi_l1,
                  const std::vector<double>& min_abs_xi, const snapshot& a, const snapshot& b, int t, double law_factor,
                  rep_result& out) {
  namespace bl = bounds::li2024;
  const int n = static_cast<int>(data.size()), m_k = st.m_k;
  const double eta = st.eta, mu_l1 = st.law.mu_norm, dn = n;
  const int K = st.law.s + std::max(st.m_k, st.m_v) + 3;
  const double gK = gamma_k(K);
  auto tol = [&](double S0, double S1, double law) { return gK * (S0 + 2 * S1 + std::abs(law)); };
  std::array<double, quantity_count> step_ratio{};
  const long checks_before = out.checks(), failures_before = out.failures();
  auto add = [&](quantity q, check_case c) {
    out.q[q].add(c);
    step_ratio[q] = std::max(step_ratio[q], std::abs(c.measured - c.law) / c.tol);
  };
  const auto& f = a.ts.samples;
  // Per-sample preconditions (spec 4.1): l'_i != 0, no softmax entry 0.
  std::vector<char> ok(static_cast<std::size_t>(n), 1);
  int reason_all = 0;  // 1: some l' = 0, 2: some softmax entry 0
  for (int i = 0; i < n; ++i) {
    const auto& fi = f[static_cast<std::size_t>(i)];
    if (fi.loss_derivative == 0) {
      ok[i] = 0, out.skip.l_prime_zero += 1 + 2 * m_k, reason_all = 1;
    } else if (fi.s11 == 0 || fi.s12 == 0 || fi.s21 == 0 || fi.s22 == 0) {
      ok[i] = 0, out.skip.softmax_zero += 1 + 2 * m_k;
      if (!reason_all) reason_all = 2;
    }
  }
  auto A = [&](int i) { return a.ts.value_signal - f[static_cast<std::size_t>(i)].value_noise; };
  auto B = [&](int s, int i) { return a.ts.key_signal(s) - a.ts.key_noise(s, i); };
  auto D_terms = [&](int s, int i, double& t1, double& t2) {
    const auto& fi = f[static_cast<std::size_t>(i)];
    t1 = fi.s11 * fi.s12 * a.ts.query_signal(s);
    t2 = fi.s21 * fi.s22 * a.ts.query_noise(s, i);
  };
  for (int i = 0; i < n; ++i) {
    if (!ok[i]) continue;
    const auto& fi = f[static_cast<std::size_t>(i)];
    const double lp = std::abs(fi.loss_derivative) / dn, Ai = A(i), mx = min_abs_xi[static_cast<std::size_t>(i)];
    // value noise
    if (lp * (fi.s12 + fi.s22) / st.m_v * mx < underflow_floor) {
      ++out.skip.underflow;
    } else {
      const double law = law_factor * bl::value_noise_increment(eta, xi_l1[i]);
      add(value_noise, {t, -1, i, b.ts.samples[i].value_noise - fi.value_noise, law, tol(a.SV[i], b.SV[i], law)});
    }
    for (int s = 0; s < m_k; ++s) {
      // query noise: -eta sgn(l' A B) ||xi||_1
      const double Bis = B(s, i);
      if (Ai == 0 || Bis == 0) {
        ++out.skip.sign_undecided;
      } else if (lp * fi.s21 * fi.s22 * std::abs(Ai) * std::abs(Bis) * mx < underflow_floor) {
        ++out.skip.underflow;
      } else {
        const double law = -sgn(fi.loss_derivative * Ai * Bis) * law_factor * bl::qk_noise_step(eta, xi_l1[i]);
        add(query_noise, {t, s, i, b.ts.query_noise(s, i) - a.ts.query_noise(s, i), law, tol(a.SQ(s, i), b.SQ(s, i), law)});
      }
      // key noise: +eta sgn(l' A D) ||xi||_1
      double t1, t2;
      D_terms(s, i, t1, t2);
      const double D = t1 + t2;
      if (Ai == 0 || !(std::abs(D) > 2 * gK * (std::abs(t1) + std::abs(t2)))) {
        ++out.skip.sign_undecided;
      } else if (lp * std::abs(Ai) * std::min(std::abs(D), std::max(std::abs(t1), std::abs(t2))) * mx < underflow_floor) {
        ++out.skip.underflow;
      } else {
        const double law = sgn(fi.loss_derivative * Ai * D) * law_factor * bl::qk_noise_step(eta, xi_l1[i]);
        add(key_noise, {t, s, i, b.ts.key_noise(s, i) - a.ts.key_noise(s, i), law, tol(a.SK(s, i), b.SK(s, i), law)});
      }
    }
  }
  // Signal checks: sums over every sample, so every sample must meet the preconditions.
  if (reason_all) {
    (reason_all == 1 ? out.skip.l_prime_zero : out.skip.softmax_zero) += 1 + 2 * m_k;
  } else {
    {
      const double law = law_factor * bl::value_signal_increment(eta, mu_l1);
      double floor_term = 0;
      for (int i = 0; i < n; ++i) floor_term = std::max(floor_term, std::abs(f[i].loss_derivative) / dn * (f[i].s11 + f[i].s21) / st.m_v * mu_l1);
      if (mu_l1 > 0 && floor_term < underflow_floor) ++out.skip.underflow;
      else add(value_signal, {t, -1, -1, b.ts.value_signal - a.ts.value_signal, law, tol(a.SV0, b.SV0, law)});
    }
    for (int s = 0; s < m_k; ++s) {
      // query signal: -eta ||mu||_1 sgn(sum_i l'_i A_i s11 s12 B_is)
      double sum = 0, abs_sum = 0, sum_k = 0, abs_k = 0;
      for (int i = 0; i < n; ++i) {
        const auto& fi = f[static_cast<std::size_t>(i)];
        const double term = fi.loss_derivative * A(i) * fi.s11 * fi.s12 * B(s, i);
        sum += term, abs_sum += std::abs(term);
        double t1, t2;
        D_terms(s, i, t1, t2);
        sum_k += fi.loss_derivative * A(i) * (t1 + t2);
        abs_k += std::abs(fi.loss_derivative * A(i)) * (std::abs(t1) + std::abs(t2));
      }
      const double gn = gamma_k(n + K);
      if (!(std::abs(sum) > 2 * gn * abs_sum)) {
        ++out.skip.sign_undecided;
      } else if (std::abs(sum) / dn * mu_l1 < underflow_floor && mu_l1 > 0) {
        ++out.skip.underflow;
      } else {
        const double law = -sgn(sum) * law_factor * bl::qk_signal_step(eta, mu_l1);
        add(query_signal, {t, s, -1, b.ts.query_signal(s) - a.ts.query_signal(s), law, tol(a.SQ0(s), b.SQ0(s), law)});
      }
      if (!(std::abs(sum_k) > 2 * gn * abs_k)) {
        ++out.skip.sign_undecided;
      } else if (std::abs(sum_k) / dn * mu_l1 < underflow_floor && mu_l1 > 0) {
        ++out.skip.underflow;
      } else {
        const double law = -sgn(sum_k) * law_factor * bl::qk_signal_step(eta, mu_l1);
        add(key_signal, {t, s, -1, b.ts.key_signal(s) - a.ts.key_signal(s), law, tol(a.SK0(s), b.SK0(s), law)});
      }
    }
  }
  out.step_ratio.push_back(step_ratio);
  const long dc = out.checks() - checks_before;
  out.step_fail_fraction.push_back(dc > 0 ? static_cast<double>(out.failures() - failures_before) / dc
                                          : std::numeric_limits<double>::quiet_NaN());
}

rep_result run_replicate(const setting& st, const std::string& stream, std::uint64_t seed, int rep, double law_factor) {
  const replicate r = draw_replicate(st, seed, stream, rep);
  std::vector<double> xi_l1, min_abs_xi;
  for (const auto& x : r.train) {
    xi_l1.push_back(x.xi.l1());
    double m = std::numeric_limits<double>::infinity();
    for (double v : x.xi.value) m = std::min(m, std::abs(v));
    min_abs_xi.push_back(m);
  }
  rep_result out;
  snapshot prev;
  ml::train_options opt;
  opt.opt = ml::optimizer::signgd;
  opt.eta = st.eta;
  opt.steps = st.steps;
  ml::train(r.W0, st.law, r.train, opt, [&](int t, const ml::attention_params& W, const ml::loss_and_gradient&) {
    snapshot cur = take_snapshot(st, r.train, W);
    if (t > 0) compare_step(st, r.train, xi_l1, min_abs_xi, prev, cur, t - 1, law_factor, out);
    prev = std::move(cur);
    return true;
  });
  return out;
}

nlohmann::json case_json(const check_case& c, quantity q) {
  return {{"quantity", quantity_label[q]}, {"law", quantity_law[q]}, {"step", fmt::format("W^({}) -> W^({})", c.t, c.t + 1)},
          {"t", c.t}, {"neuron_s", c.s}, {"sample_i", c.i}, {"measured_increment", c.measured}, {"law_increment", c.law},
          {"tolerance", c.tol}};
}

}  // namespace

claim exact_laws_claim() {
  claim c;
  c.info = {claim_id, paper, "spec 4.1 (per-step laws of SignGD; suite 6.1)", "closed-form", "reconstructed",
            "With pairwise disjoint training noise supports, every SignGD step moves the mean value noise <v, y_i xi_i> by "
            "2 eta ||xi_i||_1, the mean value signal <v, mu> by 2 eta ||mu||_1, each query/key noise by -eta sgn(l'_i A_i B_is) "
            "||xi_i||_1 / +eta sgn(l'_i A_i D_is) ||xi_i||_1 and each query/key signal by eta ||mu||_1 in the direction of "
            "-sgn(sum_i l'_i A_i s11 s12 B_is) / -sgn(sum_i l'_i A_i D_is), exactly (to rounding), wherever l'_i != 0 and no "
            "softmax entry is 0."};
  c.params = setting_params("150", "300", "6", "20");
  using K = param_kind;
  c.params.push_back({"control_d", K::integer, "1000", "1000", 0, 1e7,
                      "negative control: the same checks with disjoint = 0 at this d (supports overlap; 0 = no control; not in "
                      "the verdict)"});
  c.params.push_back({"control_seeds", K::integer, "2", "4", 1, 1e4, "replicates of the negative control"});
  c.params.push_back({"law_factor", K::real, "1", "1", -10, 10,
                      "multiplies every closed-form increment under test (1 = the laws; anything else is a deliberately "
                      "wrong law, to show the check can fail: -1 reverses every direction law)"});
  c.estimate_bytes = [](const param_values& p) {
    const setting s = read_setting(p);
    // One run in flight (the runner scales by --jobs) plus every replicate's per-step summaries.
    return run_bytes(s, 2) + 8.0 * 16 * s.steps * (s.seeds + p.get("control_seeds"));
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const setting st = read_setting(p);
    const int control_d = p.get_int("control_d"), control_seeds = control_d > 0 ? p.get_int("control_seeds") : 0;
    const double law_factor = p.get("law_factor");
    setting ctrl = st;
    if (control_d > 0) {
      ctrl.law.d = control_d;
      ctrl.disjoint = false;
      if (ctrl.law.s > control_d - 1)
        throw bad_input(fmt::format("{}: control_d = {} must exceed s = {} (or be 0: no control)", claim_id, control_d, st.law.s));
    }
    const int total = st.seeds + control_seeds;
    std::vector<rep_result> out(static_cast<std::size_t>(total));
    std::atomic<int> done{0};
    parallel_for(total, ctx.jobs, [&](int k) {
      const bool control = k >= st.seeds;
      const int rep = control ? k - st.seeds : k;
      out[static_cast<std::size_t>(k)] = control ? run_replicate(ctrl, std::string(claim_id) + "/control", ctx.seed, rep, law_factor)
                                                 : run_replicate(st, claim_id, ctx.seed, rep, law_factor);
      if (ctx.progress) ctx.progress(fmt::format("{}: {} replicate {}", claim_id, control ? "control" : "SignGD", rep), ++done, total);
    });

    claim_result res;
    // ---- the laws on disjoint supports (the verdict) ----
    std::array<tally, quantity_count> all{};
    std::array<int, quantity_count> worst_rep{}, first_fail_rep{};
    worst_rep.fill(-1), first_fail_rep.fill(-1);
    skip_counts skip;
    long checks = 0, failures = 0;
    for (int r = 0; r < st.seeds; ++r) {
      const auto& rr = out[static_cast<std::size_t>(r)];
      for (int q = 0; q < quantity_count; ++q) {
        const auto& t = rr.q[q];
        auto& A = all[q];
        A.checks += t.checks, A.magnitude_failures += t.magnitude_failures, A.direction_failures += t.direction_failures;
        if (t.checks > 0 && (worst_rep[q] < 0 || t.max_ratio > A.max_ratio)) A.max_ratio = t.max_ratio, A.worst = t.worst, worst_rep[q] = r;
        if (t.failed && first_fail_rep[q] < 0) A.first_failure = t.first_failure, A.failed = true, first_fail_rep[q] = r;
      }
      skip.l_prime_zero += rr.skip.l_prime_zero, skip.softmax_zero += rr.skip.softmax_zero;
      skip.underflow += rr.skip.underflow, skip.sign_undecided += rr.skip.sign_undecided;
      checks += rr.checks(), failures += rr.failures();
    }
    nlohmann::json per_q = nlohmann::json::array();
    double max_ratio = 0;
    int worst_q = -1;
    for (int q = 0; q < quantity_count; ++q) {
      const auto& A = all[q];
      nlohmann::json j = {{"quantity", quantity_label[q]}, {"law", quantity_law[q]}, {"checks", A.checks},
                          {"magnitude_failures", A.magnitude_failures}, {"direction_failures", A.direction_failures},
                          {"max_error_over_tolerance", A.max_ratio}};
      if (worst_rep[q] >= 0) j["largest_error"] = case_json(A.worst, static_cast<quantity>(q)), j["largest_error"]["replicate"] = worst_rep[q];
      if (first_fail_rep[q] >= 0)
        j["first_failure"] = case_json(A.first_failure, static_cast<quantity>(q)), j["first_failure"]["replicate"] = first_fail_rep[q];
      per_q.push_back(j);
      if (A.checks > 0 && (worst_q < 0 || A.max_ratio > max_ratio)) max_ratio = A.max_ratio, worst_q = q;
    }
    // The case to replay: the first failure (lowest replicate, quantity order) if any, else the largest error.
    int fail_q = -1;
    for (int q = 0; q < quantity_count; ++q)
      if (first_fail_rep[q] >= 0 && (fail_q < 0 || first_fail_rep[q] < first_fail_rep[fail_q])) fail_q = q;
    {
      const int q = fail_q >= 0 ? fail_q : worst_q;
      if (q >= 0) {
        const auto& cc = fail_q >= 0 ? all[q].first_failure : all[q].worst;
        res.worst = case_json(cc, static_cast<quantity>(q));
        res.worst["what"] = fail_q >= 0 ? "first failed check (lowest replicate)" : "largest |measured - law| / tolerance";
        res.worst["replicate"] = fail_q >= 0 ? first_fail_rep[q] : worst_rep[q];
        res.worst["error_over_tolerance"] = std::abs(cc.measured - cc.law) / cc.tol;
        res.worst["seed"] = ctx.seed;
        res.worst["stream"] = fmt::format("{}/train, /test, /init keyed by the replicate", claim_id);
        res.worst["setting"] = to_json(st);
      }
    }

    // ---- negative control ----
    long c_checks = 0, c_fail = 0, c_mag = 0, c_dir = 0, c_skipped = 0;
    std::array<long, quantity_count> cq_checks{}, cq_fail{};
    for (int r = st.seeds; r < total; ++r) {
      const auto& rr = out[static_cast<std::size_t>(r)];
      c_checks += rr.checks(), c_fail += rr.failures(), c_skipped += rr.skip.total();
      for (int q = 0; q < quantity_count; ++q) {
        c_mag += rr.q[q].magnitude_failures, c_dir += rr.q[q].direction_failures;
        cq_checks[q] += rr.q[q].checks, cq_fail[q] += rr.q[q].failures();
      }
    }
    const double c_frac = c_checks > 0 ? static_cast<double>(c_fail) / c_checks : 0.0;
    nlohmann::json control = nlohmann::json::object();
    if (control_seeds > 0) {
      nlohmann::json cq = nlohmann::json::array();
      for (int q = 0; q < quantity_count; ++q)
        cq.push_back({{"quantity", quantity_label[q]}, {"checks", cq_checks[q]}, {"failures", cq_fail[q]},
                      {"failed_fraction", cq_checks[q] > 0 ? static_cast<double>(cq_fail[q]) / cq_checks[q] : 0.0}});
      control = {{"what", "the same checks on overlapping supports (disjoint = 0): the laws are not expected to hold; "
                          "a nonzero failed fraction shows the check can fail (not part of the verdict)"},
                 {"setting", to_json(ctrl)}, {"replicates", control_seeds}, {"checks", c_checks}, {"failures", c_fail},
                 {"magnitude_failures", c_mag}, {"direction_failures", c_dir}, {"skipped", c_skipped},
                 {"failed_fraction", c_frac}, {"per_quantity", cq},
                 {"expected_shared_coordinates_per_sample", static_cast<double>(st.n - 1) * st.law.s * st.law.s / (control_d - 1.0)}};
    }

    // ---- figure: max |error| / tolerance per step (over replicates), and the control's failed fraction ----
    {
      figure f;
      f.id = "law-error-vs-step";
      f.title = "SignGD per-step laws (spec 4.1): max |measured increment - law| / rounding tolerance over replicates";
      f.xlabel = "step t (W^(t) -> W^(t+1))";
      f.ylabel = "max |error| / tolerance (1 = tolerance)";
      f.logy = true;
      for (int q = 0; q < quantity_count; ++q) {
        std::vector<double> x, y;
        for (int t = 0; t < st.steps; ++t) {
          double m = -1;
          for (int r = 0; r < st.seeds; ++r) {
            const auto& sr = out[static_cast<std::size_t>(r)].step_ratio;
            if (t < static_cast<int>(sr.size())) m = std::max(m, sr[t][q]);
          }
          if (m > 0) x.push_back(t), y.push_back(m);  // exact zeros cannot be drawn on a log axis
        }
        f.curves.push_back(line(fmt::format("{} (disjoint)", quantity_label[q]), x, y));
      }
      f.curves.push_back(line("tolerance", {0.0, static_cast<double>(st.steps - 1)}, {1.0, 1.0}));
      if (control_seeds > 0) {
        std::vector<double> x, y;
        for (int t = 0; t < st.steps; ++t) {
          double m = -1;
          for (int r = st.seeds; r < total; ++r) {
            const auto& sr = out[static_cast<std::size_t>(r)].step_ratio;
            if (t < static_cast<int>(sr.size())) m = std::max(m, *std::max_element(sr[t].begin(), sr[t].end()));
          }
          if (m > 0) x.push_back(t), y.push_back(m);
        }
        f.curves.push_back(line(fmt::format("control d={} (overlapping supports), all quantities", control_d), x, y));
      }
      f.notes.push_back(fmt::format("tolerance gamma_K (S^(t) + 2 S^(t+1) + |law|), K = s + max(m_k, m_v) + 3 = {}; "
                                    "points with error exactly 0 are not drawn (log axis)",
                                    st.law.s + std::max(st.m_k, st.m_v) + 3));
      if (control_seeds > 0) f.notes.push_back(fmt::format("control: {:.1f}% of {} checks fail", 100 * c_frac, c_checks));
      res.figures.push_back(std::move(f));
    }

    // ---- bounds, statistics, verdict ----
    namespace bl = bounds::li2024;
    res.bounds.push_back({"2 eta ||mu||_1 (value signal increment)", bl::value_signal_increment(st.eta, st.law.mu_norm)});
    res.bounds.push_back({"eta ||mu||_1 (query/key signal step)", bl::qk_signal_step(st.eta, st.law.mu_norm)});
    {
      const replicate r0 = draw_replicate(st, ctx.seed, claim_id, 0);
      const double l1 = r0.train.at(0).xi.l1();
      res.bounds.push_back({"2 eta ||xi_1||_1 (value noise increment, replicate 0, sample 1)", bl::value_noise_increment(st.eta, l1)});
      res.bounds.push_back({"eta ||xi_1||_1 (query/key noise step, replicate 0, sample 1)", bl::qk_noise_step(st.eta, l1)});
    }
    res.bounds.push_back({"tolerance factor gamma_K", gamma_k(st.law.s + std::max(st.m_k, st.m_v) + 3)});
    const long skipped = skip.total();
    const double skipped_fraction = checks + skipped > 0 ? static_cast<double>(skipped) / (checks + skipped) : 0.0;
    res.statistics.push_back({"max |error|/tolerance over all checks", max_ratio, 1.0});
    res.statistics.push_back({"failed checks", static_cast<double>(failures), 0.5});
    res.statistics.push_back({"skipped fraction of checks", skipped_fraction, 0.01});
    if (control_seeds > 0) res.statistics.push_back({"control failed fraction (overlapping supports)", c_frac, 0.1});

    res.bound_name = "rounding tolerance (|measured - law| / tolerance <= 1)";
    res.bound = 1;
    res.measured_name = "max |measured increment - law| / tolerance over all checks";
    res.measured = max_ratio;
    res.tightness_worst = max_ratio;
    if (checks == 0) res.v = verdict::inconclusive;
    else res.v = failures == 0 ? verdict::holds : verdict::violated;
    res.details = {{"setting", to_json(st)},
                   {"law_factor", law_factor},
                   {"checks", checks},
                   {"failures", failures},
                   {"per_quantity", per_q},
                   {"skipped", {{"total", skipped},
                                {"l_prime_zero", skip.l_prime_zero},
                                {"softmax_entry_zero", skip.softmax_zero},
                                {"factor_product_below_1e-280", skip.underflow},
                                {"sign_undecided_at_rounding", skip.sign_undecided},
                                {"fraction", skipped_fraction}}},
                   {"tolerance", fmt::format("gamma_K (S^(t) + 2 S^(t+1) + |law|), K = s + max(m_k, m_v) + 3 = {}, gamma_K = {:.3g}; "
                                             "S = sum over the support of |x_k| |w_k| (Higham Thm 3.1 for sums of s products "
                                             "in any order, plus the rounding of each stored update)",
                                             st.law.s + std::max(st.m_k, st.m_v) + 3, gamma_k(st.law.s + std::max(st.m_k, st.m_v) + 3))},
                   {"negative_control", control}};
    std::string verdict_text;
    if (failures == 0) {
      verdict_text = fmt::format("all {} checks hold to rounding (max |error|/tol {:.2g})", checks, max_ratio);
    } else {
      const auto& w = res.worst;
      verdict_text = fmt::format("{} of {} checks FAIL (first: {} at t={}, replicate {}: increment {:.6g} vs law {:.6g}, tol {:.2g})",
                                 failures, checks, w.value("quantity", ""), w.value("t", -1), w.value("replicate", -1),
                                 w.value("measured_increment", 0.0), w.value("law_increment", 0.0), w.value("tolerance", 0.0));
    }
    res.summary = fmt::format(
        "SignGD on disjoint supports (d={}, n={}, s={}, eta={:g}), {} seeds x {} steps: {}; {} checks skipped ({} l'=0, {} "
        "softmax entry 0, {} near-underflow, {} sign undecided){}{}",
        st.law.d, st.n, st.law.s, st.eta, st.seeds, st.steps, verdict_text, skipped, skip.l_prime_zero, skip.softmax_zero,
        skip.underflow, skip.sign_undecided,
        control_seeds > 0 ? fmt::format("; control on overlapping supports (d={}, disjoint=0): {:.1f}% of {} checks fail",
                                        control_d, 100 * c_frac, c_checks)
                          : "",
        law_factor != 1 ? fmt::format(" [law_factor = {:g}: a deliberately wrong law]", law_factor) : "");
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::li2024
