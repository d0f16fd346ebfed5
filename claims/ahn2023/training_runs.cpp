#include "claims/ahn2023/training_runs.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "claims/parallel.hpp"
#include "claims/stats.hpp"
#include "model/rng.hpp"

namespace attnbound::claims::ahn2023 {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::uint64_t law_key(icl::covariate_law law) { return static_cast<std::uint64_t>(law); }

/// Process-wide caches (one `attnbound check` computes each run once).
struct caches {
  std::mutex m;
  std::map<std::string, std::shared_ptr<const trajectory>> runs;
  std::map<std::string, std::shared_ptr<const icl::prompt_batch>> tests;
  std::map<std::string, std::vector<smoothness_point>> smoothness;
};
caches& cache() {
  static caches c;
  return c;
}

bool snapshot_at(int t) { return t % snapshot_every == 0 || (t < ds_horizon && t % ds_every == 0); }

/// The prefix of a longer run: everything up to step `iterations`.
std::shared_ptr<const trajectory> prefix(const trajectory& full, int iterations) {
  if (full.iterations <= iterations) return std::make_shared<trajectory>(full);
  auto t = std::make_shared<trajectory>();
  t->iterations = iterations;
  t->diverged = false;  // the longer run was still finite at `iterations`
  for (std::size_t k = 0; k < full.eval_t.size(); ++k)
    if (full.eval_t[k] <= iterations) t->eval_t.push_back(full.eval_t[k]), t->test_loss.push_back(full.test_loss[k]);
  t->batch_loss.assign(full.batch_loss.begin(), full.batch_loss.begin() + iterations);
  t->raw_grad_norm.assign(full.raw_grad_norm.begin(), full.raw_grad_norm.begin() + iterations);
  for (const auto& [k, v] : full.snapshots)
    if (k <= iterations) t->snapshots.emplace(k, v);
  // The last iterate of the prefix is a checkpoint when eval_every divides it; else add it from
  // the snapshot when one exists (claims ask for iteration counts that are multiples of 50).
  return t;
}

trajectory train_one(const run_spec& r, int threads) {
  const auto m = r.s.model();
  const auto data = r.s.prompts();
  const auto test = test_batch(r.s, r.test_prompts, r.seed);
  icl::train_options o;
  o.opt = r.opt;
  o.lr = r.s.lr(r.opt);
  o.clip = r.s.clip(r.opt);
  o.iterations = r.iterations;
  o.batch = r.batch;
  o.threads = threads;
  trajectory tr;
  tr.batch_loss.reserve(static_cast<std::size_t>(r.iterations));
  tr.raw_grad_norm.reserve(static_cast<std::size_t>(r.iterations));
  auto rng = model::make_rng(r.seed, "ahn2023.training/data",
                             {law_key(r.s.law), static_cast<std::uint64_t>(r.s.n), static_cast<std::uint64_t>(r.s.L),
                              static_cast<std::uint64_t>(r.replicate)});
  auto record_test = [&](int t, const Eigen::VectorXd& theta) {
    tr.eval_t.push_back(t);
    tr.test_loss.push_back(icl::loss(m, theta, *test, threads));
  };
  const auto result = icl::train_online(
      m, initial_theta(r.s, r.replicate, r.seed), data, o, rng, [&](const icl::step_view& v) {
        if (v.t % r.eval_every == 0) record_test(v.t, v.theta);
        if (snapshot_at(v.t)) tr.snapshots.emplace(v.t, v.theta);
        if (v.t < ds_horizon && v.t % ds_every == 0) tr.snapshots.emplace(v.t + 1, v.next_theta);
        tr.batch_loss.push_back(v.batch_loss);
        tr.raw_grad_norm.push_back(v.raw_grad_norm);
      });
  tr.iterations = result.iterations;
  tr.diverged = result.diverged || !result.theta.allFinite();
  if (!tr.diverged) {
    if (tr.eval_t.empty() || tr.eval_t.back() != tr.iterations) record_test(tr.iterations, result.theta);
    tr.snapshots[tr.iterations] = result.theta;
    if (!std::isfinite(tr.test_loss.back())) tr.diverged = true;
  }
  // Steps observed may exceed `iterations` by the diverging step's record: keep them aligned.
  tr.batch_loss.resize(static_cast<std::size_t>(std::min<int>(tr.iterations, static_cast<int>(tr.batch_loss.size()))));
  tr.raw_grad_norm.resize(tr.batch_loss.size());
  return tr;
}

}  // namespace

icl::prompt_options setting::prompts() const {
  icl::prompt_options p;
  p.d = d;
  p.n = n;
  p.law = law;
  p.gamma_shape = 0.1;  // Setting 3: r^2 ~ Gamma(0.1, scale 10) (spec 1.3)
  p.gamma_scale = 10.0;
  return p;
}

icl::lsa_model setting::model() const {
  icl::lsa_model m;
  m.d = d;
  m.L = L;
  m.par = icl::parameterization::code;
  m.act = icl::attention::linear;
  return m;
}

double setting::trace_sigma() const {
  switch (law) {
    case icl::covariate_law::gaussian: return d;
    case icl::covariate_law::sphere: return 1.0;
    case icl::covariate_law::radial_gamma: return 0.1 * 10.0;  // E r^2 = k theta
    default: return nan;
  }
}

setting setting_s1(int L) {
  setting s;
  s.name = L == 3 ? "S1" : fmt::format("S1 L={}", L);
  s.L = L;
  return s;
}
setting setting_s2() {
  setting s;
  s.name = "S2";
  s.n = 5;
  s.lr_sgdm = 0.01, s.lr_adam = 0.005;
  return s;
}
setting setting_s3() {
  setting s;
  s.name = "S3";
  s.law = icl::covariate_law::radial_gamma;
  return s;
}
setting setting_sphere() {
  setting s;
  s.name = "sphere";
  s.law = icl::covariate_law::sphere;
  s.lr_sgdm = 5, s.lr_adam = 0.1, s.clip_sgdm = s.clip_adam = 0.1;  // README lrs; code's sphere clip 0.1
  return s;
}
setting setting_named(const std::string& name) {
  if (name == "S1") return setting_s1();
  if (name == "S2") return setting_s2();
  if (name == "S3") return setting_s3();
  if (name == "sphere") return setting_sphere();
  throw bad_input(fmt::format("unknown setting '{}' (S1, S2, S3, sphere)", name));
}

const char* optimizer_name(icl::optimizer o) { return o == icl::optimizer::adam ? "Adam" : "SGDM"; }

std::string run_spec::key() const {
  return fmt::format("{}|law{}|n{}|L{}|d{}|{}|lr{}|clip{}|B{}|test{}|eval{}|r{}|seed{}", s.name, law_key(s.law), s.n, s.L, s.d,
                     optimizer_name(opt), s.lr(opt), s.clip(opt), batch, test_prompts, eval_every, replicate, seed);
}

double run_spec::cost() const {
  return static_cast<double>(iterations) * (batch + static_cast<double>(test_prompts) / (3.0 * eval_every)) * s.L * (s.n + 1);
}

double trajectory::test_at(int t) const {
  for (std::size_t k = 0; k < eval_t.size(); ++k)
    if (eval_t[k] == t) return test_loss[k];
  return nan;
}

double trajectory::robust_test_at(int t) const {
  if (diverged && iterations < t) return std::numeric_limits<double>::infinity();
  std::vector<double> v;
  for (std::size_t k = 0; k < eval_t.size(); ++k)
    if (eval_t[k] <= t && eval_t[k] >= 0.9 * t) v.push_back(std::isfinite(test_loss[k]) ? test_loss[k] : 1e300);
  if (v.empty()) return nan;
  return stats::median(v);
}

int trajectory::first_reach(double level) const {
  for (std::size_t k = 0; k < eval_t.size(); ++k)
    if (test_loss[k] <= level) return eval_t[k];
  return -1;
}

void clear_training_cache() {
  std::lock_guard<std::mutex> lock(cache().m);
  cache().runs.clear();
  cache().tests.clear();
  cache().smoothness.clear();
}

Eigen::VectorXd initial_theta(const setting& s, int replicate, std::uint64_t seed) {
  auto rng = model::make_rng(seed, "ahn2023.training/init",
                             {law_key(s.law), static_cast<std::uint64_t>(s.n), static_cast<std::uint64_t>(s.L),
                              static_cast<std::uint64_t>(replicate)});
  return icl::initial_parameters(s.model(), rng, 0.05);
}

std::shared_ptr<const icl::prompt_batch> test_batch(const setting& s, int prompts, std::uint64_t seed) {
  const std::string key = fmt::format("law{}|n{}|d{}|P{}|seed{}", law_key(s.law), s.n, s.d, prompts, seed);
  {
    std::lock_guard<std::mutex> lock(cache().m);
    auto it = cache().tests.find(key);
    if (it != cache().tests.end()) return it->second;
  }
  auto rng = model::make_rng(seed, "ahn2023.training/test",
                             {law_key(s.law), static_cast<std::uint64_t>(s.n), static_cast<std::uint64_t>(prompts)});
  auto b = std::make_shared<const icl::prompt_batch>(icl::draw_prompts(s.prompts(), prompts, rng));
  std::lock_guard<std::mutex> lock(cache().m);
  return cache().tests.emplace(key, b).first->second;  // a concurrent identical draw is dropped
}

icl::prompt_batch head(const icl::prompt_batch& b, int count) {
  count = std::min(count, b.B);
  icl::prompt_batch h;
  h.d = b.d, h.n = b.n, h.B = count;
  h.Z = b.Z.leftCols(static_cast<Eigen::Index>(count) * (b.n + 1));
  h.y_query = b.y_query.head(count);
  if (b.w.cols() >= count) h.w = b.w.leftCols(count);
  return h;
}

std::vector<std::shared_ptr<const trajectory>> get_runs(const std::vector<run_spec>& specs, const run_context& ctx,
                                                        const std::string& what) {
  std::vector<std::shared_ptr<const trajectory>> out(specs.size());
  std::vector<int> missing;
  {
    std::lock_guard<std::mutex> lock(cache().m);
    for (std::size_t i = 0; i < specs.size(); ++i) {
      auto it = cache().runs.find(specs[i].key());
      if (it != cache().runs.end() && (it->second->iterations >= specs[i].iterations || it->second->diverged))
        out[i] = prefix(*it->second, specs[i].iterations);
      else
        missing.push_back(static_cast<int>(i));
    }
  }
  if (missing.empty()) return out;
  const int count = static_cast<int>(missing.size());
  const int threads = threads_per_item(count, ctx.jobs);
  std::atomic<int> done{0};
  std::vector<std::shared_ptr<const trajectory>> fresh(missing.size());
  parallel_for_longest_first(
      count, ctx.jobs, [&](int k) { return specs[missing[k]].cost(); },
      [&](int k) {
        const auto& r = specs[missing[k]];
        fresh[k] = std::make_shared<const trajectory>(train_one(r, threads));
        if (ctx.progress)
          ctx.progress(fmt::format("{}: {} {} replicate {}", what, r.s.name, optimizer_name(r.opt), r.replicate), ++done,
                       count);
      });
  std::lock_guard<std::mutex> lock(cache().m);
  for (int k = 0; k < count; ++k) {
    const auto& r = specs[missing[k]];
    auto& slot = cache().runs[r.key()];
    if (!slot || slot->iterations < fresh[k]->iterations) slot = fresh[k];
    out[missing[k]] = fresh[k];
  }
  return out;
}

std::vector<std::vector<smoothness_point>> smoothness_series(const std::vector<run_spec>& specs,
                                                             const std::vector<std::shared_ptr<const trajectory>>& runs,
                                                             int hessian_prompts, const run_context& ctx,
                                                             const std::string& what) {
  std::vector<std::vector<smoothness_point>> out(specs.size());
  std::vector<int> need(specs.size(), 0), missing;
  std::vector<std::string> keys(specs.size());
  {
    std::lock_guard<std::mutex> lock(cache().m);
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const int horizon = std::min(ds_horizon, runs[i]->iterations);
      int count = 0;  // points t = 0, ds_every, ... with t < horizon and theta_{t+1} recorded
      for (int t = 0; t < horizon; t += ds_every)
        if (runs[i]->snapshots.count(t) && runs[i]->snapshots.count(t + 1)) ++count;
        else break;
      need[i] = count;
      keys[i] = fmt::format("{}|H{}", specs[i].key(), hessian_prompts);
      auto it = cache().smoothness.find(keys[i]);
      if (it != cache().smoothness.end() && static_cast<int>(it->second.size()) >= count)
        out[i].assign(it->second.begin(), it->second.begin() + count);
      else
        missing.push_back(static_cast<int>(i));
    }
  }
  if (missing.empty()) return out;
  // One work item per (run, block of points): enough items for the jobs.
  constexpr int block = 10;
  struct item {
    int run, first, last;
  };
  std::vector<item> items;
  for (int i : missing)
    for (int k = 0; k < need[i]; k += block) items.push_back({i, k, std::min(need[i], k + block)});
  for (int i : missing) out[i].assign(static_cast<std::size_t>(need[i]), smoothness_point{});
  const int threads = threads_per_item(static_cast<int>(items.size()), ctx.jobs);
  std::atomic<int> done{0};
  parallel_for(static_cast<int>(items.size()), ctx.jobs, [&](int j) {
    const auto& it = items[j];
    const auto& r = specs[it.run];
    const auto hb = head(*test_batch(r.s, r.test_prompts, r.seed), hessian_prompts);
    const auto m = r.s.model();
    for (int k = it.first; k < it.last; ++k) {
      const int t = k * ds_every;
      out[it.run][k] = directional_smoothness(m, runs[it.run]->snapshots.at(t), runs[it.run]->snapshots.at(t + 1), hb, threads);
    }
    if (ctx.progress) ctx.progress(fmt::format("{}: directional smoothness", what), ++done, static_cast<int>(items.size()));
  });
  std::lock_guard<std::mutex> lock(cache().m);
  for (int i : missing) {
    auto& slot = cache().smoothness[keys[i]];
    if (slot.size() < out[i].size()) slot = out[i];
  }
  return out;
}

}  // namespace attnbound::claims::ahn2023
