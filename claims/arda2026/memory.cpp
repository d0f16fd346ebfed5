// arda2026.memory — the price of T-independence (Arda et al. 2026 section 6.2, spec 5.2: "the
// Transformer uses T = L + 1, giving O(L) memory against IndRNN's O(1)"). Measured, not
// computed: heap bytes actually allocated, counted by model/alloc_counter (a malloc
// replacement with a per-thread scope: peak bytes live at once, by requested size, so the
// count is deterministic and unaffected by other threads under --jobs > 1).
//   prediction for one sequence of T tokens read from a stream (parameters are allocated
//   before the scope: they are the same for every T):
//     Transformer: it must hold all T tokens (the query is the last one and attention reads
//     them all) plus its T x m logits, so its peak should grow linearly in T (log-log slope 1);
//     IndRNN: h_t = tanh(W_in x_t + u (.) h_{t-1}) keeps m numbers and one token: constant.
//   one plain-GD step on one sequence (the sequence, the gradient and the workspace; BPTT
//   stores the IndRNN's T hidden states, so both grow with T here): reported, not judged.
#include <atomic>

#include <fmt/format.h>

#include "claims/arda2026/claims.hpp"
#include "claims/arda2026/recurrent_training.hpp"
#include "claims/parallel.hpp"
#include "claims/stats.hpp"
#include "model/alloc_counter.hpp"

namespace attnbound::claims::arda2026 {

namespace {

const char* const claim_id = "arda2026.memory";

enum what { tf_predict = 0, rnn_predict = 1, tf_train = 2, rnn_train = 3, n_what = 4 };
const char* what_names[] = {"Transformer prediction", "IndRNN streaming prediction", "Transformer training step",
                            "IndRNN training step (BPTT)"};

struct measurement {
  double peak = 0, total = 0, allocations = 0;
  bool overflow = false;
  double prediction = 0;  // kept so the computation cannot be optimized away
};

// Reads T tokens of `stream` into a fresh d x T sequence (allocated inside the caller's scope).
model::sequence_data read_sequence(model::ar_token_stream& stream, int d, int T) {
  model::sequence_data s;
  s.d = d, s.T = T, s.n = 1;
  s.X.resize(d, T);
  for (int t = 0; t < T; ++t) stream.next(s.X.col(t).data());
  s.y = Eigen::VectorXd::Zero(1);
  return s;
}

measurement measure(what w, int T, int m, std::uint64_t seed, std::uint64_t replicate, const model::ar_options& ao) {
  const int d = ao.d();
  // Everything that does not depend on T is created before the scope.
  auto init_rng = model::make_rng(seed, std::string(claim_id) + "/init", {static_cast<std::uint64_t>(m), replicate});
  auto tf = model::symmetric_init(d, m, init_rng);
  auto rnn = model::indrnn_symmetric_init(d, m, 1.5, init_rng);
  model::ar_token_stream stream(ao, model::make_rng(seed, std::string(claim_id) + "/tokens", {replicate}));
  measurement out;
  {
    model::allocation_scope scope;
    switch (w) {
      case tf_predict: {
        const auto seq = read_sequence(stream, d, T);
        model::transformer_workspace ws;
        out.prediction = model::forward_one(tf, seq, 0, ws);
        break;
      }
      case rnn_predict: {
        model::indrnn_stream state(rnn);
        Eigen::VectorXd token(d);  // one token at a time
        for (int t = 0; t < T; ++t) {
          stream.next(token.data());
          state.step(token.data());
        }
        out.prediction = state.prediction();
        break;
      }
      case tf_train: {
        const auto seq = read_sequence(stream, d, T);
        model::transformer_workspace ws;
        model::transformer_params grad;
        out.prediction = model::loss_and_gradient(tf, seq, {}, grad, ws);
        tf.axpy(-0.05, grad);
        break;
      }
      case rnn_train: {
        const auto seq = read_sequence(stream, d, T);
        model::indrnn_workspace ws;
        model::indrnn_params grad;
        out.prediction = model::loss_and_gradient(rnn, seq, {}, grad, ws);
        rnn.axpy(-0.05, grad);
        break;
      }
      default: break;
    }
    out.peak = static_cast<double>(scope.peak_bytes());
    out.total = static_cast<double>(scope.total_bytes());
    out.allocations = static_cast<double>(scope.allocations());
    out.overflow = scope.overflowed();
  }
  return out;
}

}  // namespace

claim memory() {
  claim c;
  c.info = {claim_id, paper, "Section 6.2 (memory: Transformer O(T), IndRNN O(1))", "scaling", "exact",
            "Peak heap memory to produce the prediction for one sequence, measured by an allocator hook: the "
            "Transformer's grows linearly in T (log-log slope 1), the IndRNN's streaming state is constant in T."};
  using K = param_kind;
  c.params = {
      {"Ts", K::integer_list, "16,64,256,1024,4096,16384", "16,32,64,128,256,512,1024,2048,4096,8192,16384", 1, 1 << 20,
       "sequence lengths (>= 3 distinct)", 3},
      {"m", K::even_integer, "64", "64", 2, 4096, "width of both models (paper: 64)"},
      {"L", K::integer, "4", "4", 1, 100000, "AR lag of the token stream"},
      {"seeds", K::integer, "2", "3", 1, 1000, "replicates (parameters and tokens); bytes must not depend on them"},
      {"fit_min_T", K::integer, "256", "256", 1, 1 << 20, "the asymptotic slope is fitted on T >= this (>= 3 values)"},
      {"band", K::real, "0.05", "0.05", 0, 1, "slope band: Transformer within 1 +- band, IndRNN within 0 +- band"},
  };
  c.estimate_bytes = [](const param_values& p) {
    const double T = p.max("Ts"), m = p.get("m"), d = 17;
    return 8.0 * (d * T * 2 + 4 * T * m + 8 * (d * d * m + d * m + m));
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    const std::vector<int> Ts = p.int_list("Ts");
    const int m = p.get_int("m"), seeds = p.get_int("seeds"), fit_min = p.get_int("fit_min_T");
    const double band = p.get("band");
    model::ar_options ao;
    ao.L = p.get_int("L");
    std::vector<double> upper_x;
    for (int T : Ts)
      if (T >= fit_min) upper_x.push_back(T);
    std::sort(upper_x.begin(), upper_x.end());
    upper_x.erase(std::unique(upper_x.begin(), upper_x.end()), upper_x.end());
    if (upper_x.size() < 3)
      throw bad_input(fmt::format("{}: fewer than 3 distinct T >= fit_min_T = {}", claim_id, fit_min));

    claim_result res;
    if (!model::allocation_scope::hook_linked()) {
      res.v = verdict::inconclusive;
      res.summary = "the allocation hook is not active in this program: memory cannot be measured";
      return res;
    }
    const int nT = static_cast<int>(Ts.size()), total = n_what * nT * seeds;
    std::vector<measurement> out(total);
    std::atomic<int> done{0};
    parallel_for(total, ctx.jobs, [&](int k) {
      const int w = k % n_what, r = (k / n_what) % seeds, t = k / (n_what * seeds);
      out[k] = measure(static_cast<what>(w), Ts[t], m, ctx.seed, static_cast<std::uint64_t>(r), ao);
      if (ctx.progress) ctx.progress(fmt::format("{} T={}", what_names[w], Ts[t]), ++done, total);
    });

    // bytes[w][t]: per replicate
    std::vector<std::vector<std::vector<double>>> bytes(n_what, std::vector<std::vector<double>>(nT));
    bool overflow = false, seed_dependent = false;
    for (int t = 0; t < nT; ++t)
      for (int w = 0; w < n_what; ++w)
        for (int r = 0; r < seeds; ++r) {
          const auto& o = out[(t * seeds + r) * n_what + w];
          bytes[w][t].push_back(o.peak);
          overflow |= o.overflow;
          seed_dependent |= o.peak != bytes[w][t][0];
        }
    const std::vector<double> xs(Ts.begin(), Ts.end());
    struct fits {
      stats::slope_fit all, upper, linear;  // log-log all T; log-log T >= fit_min; bytes = a + b T
    };
    std::vector<fits> F(n_what);
    for (int w = 0; w < n_what; ++w) {
      std::vector<double> lx, ly, ux, uy, y;
      for (int t = 0; t < nT; ++t) {
        const double b = stats::median(bytes[w][t]);
        y.push_back(b);
        lx.push_back(std::log(xs[t])), ly.push_back(std::log(b));
        if (Ts[t] >= fit_min) ux.push_back(std::log(xs[t])), uy.push_back(std::log(b));
      }
      F[w].all = stats::ols(lx, ly);
      F[w].upper = stats::ols(ux, uy);
      F[w].linear = stats::ols(xs, y);
    }
    const auto& tp = F[tf_predict].upper;
    const auto& rp = F[rnn_predict].all;
    const bool tf_linear = stats::ci_overlaps(tp.ci_low, tp.ci_high, 1 - band, 1 + band);
    const bool tf_off = tp.ci_high < 1 - band || tp.ci_low > 1 + band;
    const bool rnn_const = rp.ci_low >= -band && rp.ci_high <= band;
    const bool rnn_grows = rp.ci_low > band;
    if (overflow || seed_dependent) res.v = verdict::inconclusive;
    else if (tf_off || rnn_grows) res.v = verdict::violated;
    else if (tf_linear && rnn_const) res.v = verdict::holds;
    else res.v = verdict::inconclusive;

    const int last = static_cast<int>(std::max_element(Ts.begin(), Ts.end()) - Ts.begin());
    res.bound_name = fmt::format("IndRNN streaming peak bytes at the largest T = {}", Ts[last]);
    res.bound = stats::median(bytes[rnn_predict][last]);
    res.measured_name = fmt::format("Transformer prediction peak bytes at T = {}", Ts[last]);
    res.measured = stats::median(bytes[tf_predict][last]);
    res.worst = worst_config("Transformer prediction peak bytes", res.measured, ctx.seed,
                             {{"T", Ts[last]}, {"m", m}, {"d", ao.d()}, {"replicate", 0}});
    res.summary = fmt::format(
        "Transformer prediction: log-log slope {:.3f} [{:.3f}, {:.3f}] on T >= {} ({:.3f} over all T), {:.0f} bytes/token; "
        "IndRNN streaming: slope {:.3f} [{:.3f}, {:.3f}], {:.0f} bytes at every T; training step slopes: Transformer {:.3f}, "
        "IndRNN {:.3f} (BPTT stores h_1..h_T){}",
        tp.slope, tp.ci_low, tp.ci_high, fit_min, F[tf_predict].all.slope, F[tf_predict].linear.slope, rp.slope, rp.ci_low,
        rp.ci_high, stats::median(bytes[rnn_predict][0]), F[tf_train].upper.slope, F[rnn_train].upper.slope,
        overflow ? "; TRACKING TABLE OVERFLOWED" : seed_dependent ? "; BYTES DIFFER BETWEEN REPLICATES" : "");

    nlohmann::json table = nlohmann::json::array();
    for (int t = 0; t < nT; ++t) {
      nlohmann::json row = {{"T", Ts[t]}};
      for (int w = 0; w < n_what; ++w) {
        const auto& o = out[(t * seeds) * n_what + w];
        row[what_names[w]] = {{"peak_bytes", o.peak}, {"total_bytes", o.total}, {"allocations", o.allocations}};
      }
      table.push_back(row);
    }
    nlohmann::json fit_table = nlohmann::json::object();
    for (int w = 0; w < n_what; ++w)
      fit_table[what_names[w]] = {
          {"loglog_all_T", {{"slope", F[w].all.slope}, {"ci_low", F[w].all.ci_low}, {"ci_high", F[w].all.ci_high}}},
          {"loglog_T_ge_fit_min", {{"slope", F[w].upper.slope}, {"ci_low", F[w].upper.ci_low}, {"ci_high", F[w].upper.ci_high}}},
          {"bytes_per_token", F[w].linear.slope},
          {"bytes_at_T0", F[w].linear.intercept},
          {"linear_r2", F[w].linear.r2}};
    res.details = {{"per_T", table},
                   {"fits", fit_table},
                   {"measurement", "peak heap bytes live at once inside a per-thread allocation scope (malloc/calloc/realloc/"
                                   "aligned allocations, requested sizes); model parameters allocated before the scope"},
                   {"deterministic_over_replicates", !seed_dependent},
                   {"table_overflow", overflow},
                   {"slope_ci", "OLS t-interval over the T grid (bytes are deterministic: seeds do not spread them)"}};
    {
      figure f;
      f.id = "bytes-vs-T";
      f.title = fmt::format("Measured peak heap memory vs sequence length (m = {}, d = {})", m, ao.d());
      f.xlabel = "sequence length T (tokens)";
      f.ylabel = "peak heap bytes (bytes)";
      f.logx = f.logy = true;
      for (int w = 0; w < n_what; ++w) {
        std::vector<double> y, lo, hi;
        for (int t = 0; t < nT; ++t) {
          y.push_back(stats::median(bytes[w][t]));
          lo.push_back(*std::min_element(bytes[w][t].begin(), bytes[w][t].end()));
          hi.push_back(*std::max_element(bytes[w][t].begin(), bytes[w][t].end()));
        }
        f.curves.push_back(points(std::string(what_names[w]) + " (range over replicates)", xs, y, lo, hi));
      }
      std::vector<double> ux(upper_x.begin(), upper_x.end());
      f.curves.push_back(power_law(fmt::format("fit Transformer prediction: T^{:.3f}", tp.slope), ux, tp.slope, tp.intercept));
      f.notes = {fmt::format("Transformer prediction: slope {:.3f} [{:.3f}, {:.3f}] (T >= {}), predicted 1 +- {}; {:.0f} bytes/token",
                             tp.slope, tp.ci_low, tp.ci_high, fit_min, band, F[tf_predict].linear.slope),
                 fmt::format("IndRNN streaming prediction: {:.0f} bytes at every T (slope {:.3f}), predicted 0",
                             stats::median(bytes[rnn_predict][0]), rp.slope),
                 fmt::format("one GD step on one sequence: Transformer slope {:.3f}, IndRNN slope {:.3f} (BPTT keeps h_1..h_T)",
                             F[tf_train].upper.slope, F[rnn_train].upper.slope)};
      res.figures.push_back(std::move(f));
    }
    auto half = [](const stats::slope_fit& f) { return std::max(0.01, (f.ci_high - f.ci_low) / 2); };
    res.statistics.push_back({"Transformer prediction bytes slope (log-log, T >= fit_min)", tp.slope, half(tp)});
    res.statistics.push_back({"IndRNN streaming bytes slope (log-log)", rp.slope, half(rp)});
    res.statistics.push_back({"Transformer training-step bytes slope", F[tf_train].upper.slope, half(F[tf_train].upper)});
    res.statistics.push_back({"IndRNN training-step bytes slope", F[rnn_train].upper.slope, half(F[rnn_train].upper)});
    res.statistics.push_back({"Transformer prediction bytes per token", F[tf_predict].linear.slope,
                              std::max(8.0, 0.01 * std::abs(F[tf_predict].linear.slope))});
    res.statistics.push_back({"IndRNN streaming bytes", stats::median(bytes[rnn_predict][0]), 8.0});
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::arda2026
