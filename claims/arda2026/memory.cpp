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
// Measured memory is affine, A + B T (A: buffers whose size does not depend on T), so the
// slope of the raw totals only tends to 1; "linear in T" is tested on the T-dependent part,
// log(bytes(T) - bytes(1)) against log(T - 1) (slope exactly 1 for affine growth), and the
// fixed part A and the bytes per token B are reported beside it.
#include <algorithm>
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
      {"Ts", K::integer_list, "16,64,256,1024,4096,16384", "16,32,64,128,256,512,1024,2048,4096,8192,16384", 2, 1 << 20,
       "sequence lengths (>= 3 distinct, >= 2; T = 1 is always measured as the fixed overhead)", 3},
      {"m", K::even_integer, "64", "64", 2, 4096, "width of both models (paper: 64)"},
      {"L", K::integer, "4", "4", 1, 100000, "AR lag of the token stream"},
      {"seeds", K::integer, "2", "3", 1, 1000, "replicates (parameters and tokens); bytes must not depend on them"},
      {"band", K::real, "0.05", "0.05", 0, 1, "slope band: Transformer within 1 +- band, IndRNN within 0 +- band"},
  };
  c.estimate_bytes = [](const param_values& p) {
    const double T = p.max("Ts"), m = p.get("m"), d = 17;
    return 8.0 * (d * T * 2 + 4 * T * m + 8 * (d * d * m + d * m + m)) + 4e6;
  };
  c.run = [](const run_context& ctx) {
    const auto& p = ctx.params;
    std::vector<int> Ts = p.int_list("Ts");
    const int m = p.get_int("m"), seeds = p.get_int("seeds");
    const double band = p.get("band");
    model::ar_options ao;
    ao.L = p.get_int("L");
    claim_result res;
    if (!model::allocation_scope::hook_linked()) {
      res.v = verdict::inconclusive;
      res.summary = "the allocation hook is not active in this program: memory cannot be measured";
      return res;
    }
    // Column 0 is T = 1: the fixed overhead (buffers whose size does not depend on T).
    std::vector<int> grid = {1};
    grid.insert(grid.end(), Ts.begin(), Ts.end());
    const int nG = static_cast<int>(grid.size()), nT = nG - 1, total = n_what * nG * seeds;
    std::vector<measurement> out(total);
    std::atomic<int> done{0};
    parallel_for(total, ctx.jobs, [&](int k) {
      const int w = k % n_what, r = (k / n_what) % seeds, g = k / (n_what * seeds);
      out[k] = measure(static_cast<what>(w), grid[g], m, ctx.seed, static_cast<std::uint64_t>(r), ao);
      if (ctx.progress) ctx.progress(fmt::format("{} T={}", what_names[w], grid[g]), ++done, total);
    });

    // bytes[w][g]: per replicate; the replicates must agree (the count is deterministic).
    std::vector<std::vector<std::vector<double>>> bytes(n_what, std::vector<std::vector<double>>(nG));
    bool overflow = false, seed_dependent = false;
    for (int g = 0; g < nG; ++g)
      for (int w = 0; w < n_what; ++w)
        for (int r = 0; r < seeds; ++r) {
          const auto& o = out[(g * seeds + r) * n_what + w];
          bytes[w][g].push_back(o.peak);
          overflow |= o.overflow;
          seed_dependent |= o.peak != bytes[w][g][0];
        }
    auto at = [&](int w, int g) { return stats::median(bytes[w][g]); };
    const std::vector<double> xs(Ts.begin(), Ts.end());
    // Per series: (1) bytes = A + B T by least squares (B: bytes per token); (2) the log-log slope
    // of the T-dependent part, bytes(T) - bytes(1) against T - 1 (exactly 1 for affine growth,
    // where the raw totals only approach slope 1 as B T outgrows A); (3) the raw log-log slope.
    struct fits {
      stats::slope_fit linear, excess, raw;
      bool excess_defined = true;  // bytes(T) > bytes(1) at every T
    };
    std::vector<fits> F(n_what);
    for (int w = 0; w < n_what; ++w) {
      std::vector<double> y, ex_x, ex_y, lx, ly;
      for (int t = 0; t < nT; ++t) {
        const double b = at(w, t + 1), excess = b - at(w, 0);
        y.push_back(b);
        lx.push_back(std::log(xs[t])), ly.push_back(std::log(b));
        if (excess > 0) ex_x.push_back(std::log(xs[t] - 1)), ex_y.push_back(std::log(excess));
        else F[w].excess_defined = false;
      }
      F[w].linear = stats::ols(xs, y);
      F[w].raw = stats::ols(lx, ly);
      if (F[w].excess_defined) F[w].excess = stats::ols(ex_x, ex_y);
    }
    const auto& tp = F[tf_predict];
    const auto& rp = F[rnn_predict];
    const bool tf_linear = tp.excess_defined && stats::ci_overlaps(tp.excess.ci_low, tp.excess.ci_high, 1 - band, 1 + band);
    const bool tf_off = !tp.excess_defined || tp.excess.ci_high < 1 - band || tp.excess.ci_low > 1 + band;
    const bool rnn_const = rp.raw.ci_low >= -band && rp.raw.ci_high <= band;
    const bool rnn_grows = rp.raw.ci_low > band;
    if (overflow || seed_dependent) res.v = verdict::inconclusive;
    else if (tf_off || rnn_grows) res.v = verdict::violated;
    else if (tf_linear && rnn_const) res.v = verdict::holds;
    else res.v = verdict::inconclusive;

    const int last = static_cast<int>(std::max_element(Ts.begin(), Ts.end()) - Ts.begin());
    res.bound_name = fmt::format("IndRNN streaming peak bytes at the largest T = {}", Ts[last]);
    res.bound = at(rnn_predict, last + 1);
    res.measured_name = fmt::format("Transformer prediction peak bytes at T = {}", Ts[last]);
    res.measured = at(tf_predict, last + 1);
    res.worst = worst_config("Transformer prediction peak bytes", res.measured, ctx.seed,
                             {{"T", Ts[last]}, {"m", m}, {"d", ao.d()}, {"replicate", 0}});
    auto slope_text = [](const fits& f) {
      return f.excess_defined ? fmt::format("{:.3f} [{:.3f}, {:.3f}]", f.excess.slope, f.excess.ci_low, f.excess.ci_high)
                              : std::string("undefined (no growth over T = 1)");
    };
    res.summary = fmt::format(
        "Transformer prediction: {:.0f} bytes + {:.1f} bytes/token (R2 {:.6f}), log-log slope of the T-dependent part {} "
        "(raw totals {:.3f}); IndRNN streaming: {:.0f} bytes at every T (slope {:.3f} [{:.3f}, {:.3f}]); one training step: "
        "Transformer {:.1f} bytes/token, IndRNN {:.1f} bytes/token (BPTT stores h_1..h_T){}",
        tp.linear.intercept, tp.linear.slope, tp.linear.r2, slope_text(tp), tp.raw.slope, at(rnn_predict, 1),
        rp.raw.slope, rp.raw.ci_low, rp.raw.ci_high, F[tf_train].linear.slope, F[rnn_train].linear.slope,
        overflow ? "; TRACKING TABLE OVERFLOWED" : seed_dependent ? "; BYTES DIFFER BETWEEN REPLICATES" : "");

    nlohmann::json table = nlohmann::json::array();
    for (int g = 0; g < nG; ++g) {
      nlohmann::json row = {{"T", grid[g]}};
      for (int w = 0; w < n_what; ++w) {
        const auto& o = out[(g * seeds) * n_what + w];
        row[what_names[w]] = {{"peak_bytes", o.peak}, {"total_bytes", o.total}, {"allocations", o.allocations}};
      }
      table.push_back(row);
    }
    nlohmann::json fit_table = nlohmann::json::object();
    for (int w = 0; w < n_what; ++w) {
      fit_table[what_names[w]] = {
          {"bytes_per_token", F[w].linear.slope},
          {"bytes_fixed", F[w].linear.intercept},
          {"linear_r2", F[w].linear.r2},
          {"loglog_raw", {{"slope", F[w].raw.slope}, {"ci_low", F[w].raw.ci_low}, {"ci_high", F[w].raw.ci_high}}}};
      if (F[w].excess_defined)
        fit_table[what_names[w]]["loglog_excess_over_T1"] = {
            {"slope", F[w].excess.slope}, {"ci_low", F[w].excess.ci_low}, {"ci_high", F[w].excess.ci_high}};
    }
    res.details = {{"per_T", table},
                   {"fits", fit_table},
                   {"measurement", "peak heap bytes live at once inside a per-thread allocation scope (malloc/calloc/realloc/"
                                   "aligned allocations, requested sizes); model parameters allocated before the scope; T = 1 "
                                   "gives the fixed overhead"},
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
          y.push_back(at(w, t + 1));
          lo.push_back(*std::min_element(bytes[w][t + 1].begin(), bytes[w][t + 1].end()));
          hi.push_back(*std::max_element(bytes[w][t + 1].begin(), bytes[w][t + 1].end()));
        }
        f.curves.push_back(points(std::string(what_names[w]) + " (range over replicates)", xs, y, lo, hi));
      }
      std::vector<double> affine;
      for (double x : xs) affine.push_back(tp.linear.intercept + tp.linear.slope * x);
      f.curves.push_back(line(fmt::format("fit Transformer prediction: {:.0f} + {:.1f} T bytes", tp.linear.intercept, tp.linear.slope),
                              xs, affine));
      f.notes = {fmt::format("Transformer prediction: slope of bytes(T) - bytes(1) vs T - 1 = {}, predicted 1 +- {}; raw log-log "
                             "slope {:.3f} (fixed {:.0f} bytes)",
                             slope_text(tp), band, tp.raw.slope, tp.linear.intercept),
                 fmt::format("IndRNN streaming prediction: {:.0f} bytes at every T (slope {:.3f}), predicted 0", at(rnn_predict, 1),
                             rp.raw.slope),
                 fmt::format("one GD step on one sequence: Transformer {:.1f} bytes/token, IndRNN {:.1f} bytes/token (BPTT keeps h_1..h_T)",
                             F[tf_train].linear.slope, F[rnn_train].linear.slope)};
      res.figures.push_back(std::move(f));
    }
    auto half = [](const stats::slope_fit& f) { return std::max(0.01, (f.ci_high - f.ci_low) / 2); };
    if (tp.excess_defined)
      res.statistics.push_back({"Transformer prediction: log-log slope of bytes(T) - bytes(1)", tp.excess.slope, half(tp.excess)});
    res.statistics.push_back({"IndRNN streaming bytes slope (log-log)", rp.raw.slope, half(rp.raw)});
    res.statistics.push_back({"Transformer prediction bytes per token", tp.linear.slope, std::max(8.0, 0.01 * std::abs(tp.linear.slope))});
    res.statistics.push_back({"IndRNN streaming bytes", at(rnn_predict, 1), 8.0});
    res.statistics.push_back({"Transformer training-step bytes per token", F[tf_train].linear.slope,
                              std::max(8.0, 0.01 * std::abs(F[tf_train].linear.slope))});
    res.statistics.push_back({"IndRNN training-step bytes per token", F[rnn_train].linear.slope,
                              std::max(8.0, 0.01 * std::abs(F[rnn_train].linear.slope))});
    return res;
  };
  return c;
}

}  // namespace attnbound::claims::arda2026
