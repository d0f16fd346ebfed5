// Shared pieces of the li2024.* claims (claims/li2024/common.hpp): the setting as parameters,
// one replicate's data and W^(0) from their own streams, recorded trajectories and the
// measured stage times of spec li2024-signgd-two-layer-transformer.md section 6.2.
#include "claims/li2024/common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "model/rng.hpp"

namespace attnbound::claims::li2024 {

std::vector<param_spec> setting_params(const std::string& steps_quick, const std::string& steps_full,
                                       const std::string& seeds_quick, const std::string& seeds_full) {
  using K = param_kind;
  return {
      {"d", K::integer, "10000", "10000", 3, 1e7, "dimension d (spec 5.3: 1e4)"},
      {"n", K::integer, "20", "20", 1, 1e5, "training samples n (spec 5.3: 20)"},
      {"s", K::integer, "50", "50", 1, 1e6, "noise sparsity s (spec 5.3: 50; s <= d - 1)"},
      {"sigma_p", K::real, "1", "1", 1e-6, 1e6, "noise standard deviation sigma_p on the support (spec 5.3: 1)"},
      {"mu_norm", K::real, "1", "1", 0, 1e6, "signal norm ||mu|| (mu = ||mu|| e_1; spec 5.3: 1)"},
      {"m_k", K::integer, "10", "10", 1, 1e4, "query/key neurons m_k (spec 5.3: 10)"},
      {"m_v", K::integer, "10", "10", 1, 1e4, "value neurons m_v (spec 5.3: 10)"},
      {"sigma0", K::real, "0.01", "0.01", 1e-12, 1e3, "initialization scale sigma0 (spec 5.3: 0.01)"},
      {"eta", K::real, "0.001", "0.001", 1e-12, 10, "step size eta (spec 5.3: 1e-3)"},
      {"steps", K::integer, steps_quick, steps_full, 1, 1e7, "training steps"},
      {"seeds", K::integer, seeds_quick, seeds_full, 1, 1e4, "replicates (fresh data and initialization each)"},
      {"test_points", K::integer, "500", "500", 1, 1e7, "fresh test points (spec 5.3: 500)"},
      {"disjoint", K::integer, "1", "1", 0, 1,
       "1: training noise supports pairwise disjoint (the spec 4.1 laws are exact); 0: drawn independently"},
  };
}

setting read_setting(const param_values& p) {
  setting s;
  s.law.d = p.get_int("d");
  s.law.s = p.get_int("s");
  s.law.sigma_p = p.get("sigma_p");
  s.law.mu_norm = p.get("mu_norm");
  s.n = p.get_int("n");
  s.m_k = p.get_int("m_k");
  s.m_v = p.get_int("m_v");
  s.sigma0 = p.get("sigma0");
  s.eta = p.get("eta");
  s.steps = p.get_int("steps");
  s.seeds = p.get_int("seeds");
  s.test_points = p.get_int("test_points");
  s.disjoint = p.get_int("disjoint") != 0;
  if (s.law.s > s.law.d - 1)
    throw bad_input(fmt::format("li2024: s = {} exceeds the d - 1 = {} noise coordinates", s.law.s, s.law.d - 1));
  if (s.disjoint && static_cast<long long>(s.n) * s.law.s > s.law.d - 1)
    throw bad_input(fmt::format("li2024: disjoint=1 needs n s <= d - 1 (n s = {}, d - 1 = {}); lower n or s, raise d, or set disjoint=0",
                                static_cast<long long>(s.n) * s.law.s, s.law.d - 1));
  // Parameter matrices: 4 blocks of m x d doubles; refuse sizes whose index arithmetic overflows int.
  if (static_cast<double>(std::max(s.m_k, s.m_v)) * s.law.d > 2.0e9)
    throw bad_input(fmt::format("li2024: max(m_k, m_v) d = {:g} is too large (at most 2e9 entries per block)",
                                static_cast<double>(std::max(s.m_k, s.m_v)) * s.law.d));
  return s;
}

nlohmann::json to_json(const setting& s) {
  return {{"d", s.law.d},         {"n", s.n},         {"s", s.law.s},       {"sigma_p", s.law.sigma_p},
          {"mu_norm", s.law.mu_norm}, {"m_k", s.m_k},   {"m_v", s.m_v},       {"sigma0", s.sigma0},
          {"eta", s.eta},         {"steps", s.steps}, {"seeds", s.seeds},   {"test_points", s.test_points},
          {"disjoint", s.disjoint ? 1 : 0}};
}

replicate draw_replicate(const setting& s, std::uint64_t seed, const std::string& claim_id, int rep) {
  const std::uint64_t key = static_cast<std::uint64_t>(rep);
  auto train_rng = model::make_rng(seed, claim_id + "/train", {key});
  auto test_rng = model::make_rng(seed, claim_id + "/test", {key});
  auto init_rng = model::make_rng(seed, claim_id + "/init", {key});
  replicate r;
  r.train = ml::draw_samples(s.law, s.n, s.disjoint, train_rng);
  r.test = ml::draw_samples(s.law, s.test_points, false, test_rng);
  r.W0 = ml::initial_parameters(s.law.d, s.m_k, s.m_v, s.sigma0, init_rng);
  return r;
}

double run_bytes(const setting& s, int recorded_points) {
  const double block = 8.0 * (2.0 * s.m_k + 2.0 * s.m_v) * s.law.d;  // W (four blocks)
  const double data = 16.0 * (static_cast<double>(s.n) + s.test_points) * s.law.s;
  const double point = 8.0 * (2.0 * s.m_k * s.n + 2.0 * s.m_k + 8.0 * s.n + 4);
  // W^(0), the iterate, the gradient, Adam's two moments, the returned copy.
  return 6 * block + data + point * std::max(0, recorded_points);
}

trajectory record_trajectory(const setting& s, const replicate& r, const ml::train_options& opt, int record_every,
                             int test_every) {
  record_every = std::max(1, record_every);
  trajectory tr;
  auto record = [&](int t, const ml::attention_params& W, double train_loss) {
    trajectory_point pt;
    pt.t = t;
    pt.train_loss = train_loss;
    const bool test_now = t == opt.steps || (test_every > 0 && t % test_every == 0);
    pt.test_loss = test_now ? ml::logistic_loss(W, s.law, r.test) : std::numeric_limits<double>::quiet_NaN();
    pt.tracked = ml::track(W, s.law, r.train);
    tr.points.push_back(std::move(pt));
  };
  const auto res = ml::train(r.W0, s.law, r.train, opt, [&](int t, const ml::attention_params& W, const ml::loss_and_gradient& g) {
    const bool final_call = t == opt.steps;
    if (final_call || t % record_every == 0 || (test_every > 0 && t % test_every == 0))
      record(t, W, g.loss);  // the final call's g.loss is L_S at W^(steps)
    return true;
  });
  tr.W = res.W;
  return tr;
}

namespace {

int sign_of(double x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }

}  // namespace

stage_times measure_stage_times(const trajectory& tr) {
  stage_times st;
  const auto& P = tr.points;
  if (P.empty()) return st;
  for (const auto& pt : P) {
    const auto& ts = pt.tracked;
    const Eigen::Index m_k = ts.query_signal.size(), n = static_cast<Eigen::Index>(ts.samples.size());
    if (st.T1 < 0) {
      bool all = true;
      for (const auto& f : ts.samples) all = all && (f.value_signal - f.value_noise < 0);
      if (all) st.T1 = pt.t;
    }
    if (st.T2 < 0) {
      bool all = true;
      for (Eigen::Index s = 0; s < m_k && all; ++s)
        for (Eigen::Index i = 0; i < n && all; ++i)
          all = sign_of(ts.query_noise(s, i)) == sign_of(ts.key_noise(s, i));
      if (all) st.T2 = pt.t;
    }
    if (st.T4 < 0) {
      bool all = true;
      for (Eigen::Index s = 0; s < m_k && all; ++s) {
        const int q = sign_of(ts.query_signal(s));
        for (Eigen::Index i = 0; i < n && all; ++i)
          all = sign_of(ts.query_noise(s, i)) == q && sign_of(ts.key_noise(s, i)) == q;
      }
      if (all) st.T4 = pt.t;
    }
    if (st.stage4_s21_time < 0) {
      double mx = 0;
      for (const auto& f : ts.samples) mx = std::max(mx, f.s21);
      if (mx < 1e-2) st.stage4_s21_time = pt.t;
    }
  }
  // T3: the recorded point after the last change of the query-signal sign pattern; a change at
  // the final point means the signs have not settled within the run (-1).
  auto pattern = [](const trajectory_point& pt) {
    std::vector<int> sg(static_cast<std::size_t>(pt.tracked.query_signal.size()));
    for (std::size_t s = 0; s < sg.size(); ++s) sg[s] = sign_of(pt.tracked.query_signal(static_cast<Eigen::Index>(s)));
    return sg;
  };
  std::size_t last_change = 0;
  auto prev = pattern(P[0]);
  for (std::size_t k = 1; k < P.size(); ++k) {
    auto cur = pattern(P[k]);
    if (cur != prev) last_change = k;
    prev = std::move(cur);
  }
  st.T3 = (last_change > 0 && last_change + 1 == P.size()) ? -1 : P[last_change].t;
  return st;
}

}  // namespace attnbound::claims::li2024
