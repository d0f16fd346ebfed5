// The recurrent-contrast claims (arda2026.rnn-contrast, arda2026.ar-lag, arda2026.memory) run
// end to end at a tiny scale: finite numbers, figures, a replayable worst case, no run above
// its certified gradient bound, results bit-identical for 1 and 2 jobs (memory included: the
// allocation counter is per thread), and the memory measurement's shape (Transformer bytes grow
// with T, the IndRNN's streaming bytes do not).
#include <gtest/gtest.h>

#include "claims/claim.hpp"
#include "claims/params.hpp"
#include "claims/runner.hpp"
#include "expect_finite_numbers.hpp"

namespace ac = attnbound::claims;
using attnbound::test::expect_finite_numbers;

namespace {

struct tiny_case {
  const char* id;
  std::vector<std::string> overrides;
  std::vector<std::string> figures;
};

const std::vector<tiny_case>& cases() {
  static const std::vector<tiny_case> c = {
      {"arda2026.rnn-contrast", {"Ts=4,8,16", "m=4", "n=16", "tau=20", "seeds=3"}, {"grad-vs-T", "grad-vs-T-semilog"}},
      {"arda2026.ar-lag", {"Ls=2,6", "m=4", "n=40", "tau=20", "seeds=3", "eval_every=5"}, {"min-val-mse-vs-L", "grad-vs-L"}},
      {"arda2026.memory", {"Ts=64,256,1024,4096", "m=8", "seeds=2"}, {"bytes-vs-T"}},
  };
  return c;
}

nlohmann::json run(const tiny_case& c, int jobs, std::uint64_t seed = 11) {
  ac::check_options opt;
  opt.seed = seed;
  opt.jobs = jobs;
  auto r = ac::run_claim(*ac::find_claim(c.id), c.overrides, opt).at("claims").at(0);
  r.erase("seconds");
  return r;
}

}  // namespace

TEST(ClaimsRecurrent, TinyRunsGiveFiniteResultsFiguresAndAWorstCase) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.id);
    const ac::claim* claim = ac::find_claim(c.id);
    ASSERT_NE(claim, nullptr);
    const auto r = run(c, 1);
    EXPECT_FALSE(r.contains("error")) << r.dump(2);
    expect_finite_numbers(r, c.id);
    EXPECT_FALSE(r.at("worst").empty());
    ASSERT_EQ(r.at("figures").size(), c.figures.size());
    for (std::size_t k = 0; k < c.figures.size(); ++k) {
      EXPECT_EQ(r.at("figures").at(k).at("id"), c.figures[k]);
      EXPECT_FALSE(r.at("figures").at(k).at("series").empty());
    }
    EXPECT_FALSE(r.at("statistics").empty());
  }
}

TEST(ClaimsRecurrent, NoRunExceedsItsCertifiedGradientBound) {
  const auto r = run(cases()[0], 1);
  EXPECT_TRUE(r.at("details").at("violations").empty()) << r.at("details").at("violations").dump(2);
  EXPECT_GT(r.at("tightness_worst").get<double>(), 0.0);
  EXPECT_LT(r.at("tightness_worst").get<double>(), 1.0);
}

TEST(ClaimsRecurrent, ResultsDoNotDependOnJobs) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(run(c, 1).dump(), run(c, 2).dump());
  }
}

TEST(ClaimsRecurrent, MemoryIsMeasuredAndHasTheExpectedShape) {
  const auto r = run(cases()[2], 2);
  EXPECT_EQ(r.at("verdict"), "holds") << r.at("summary");
  const auto& rows = r.at("details").at("per_T");
  EXPECT_EQ(rows.at(0).at("T"), 1);  // the fixed overhead
  double prev_tf = 0, rnn0 = rows.at(0).at("IndRNN streaming prediction").at("peak_bytes");
  EXPECT_GT(rnn0, 0.0);
  for (const auto& row : rows) {
    const double tf = row.at("Transformer prediction").at("peak_bytes");
    EXPECT_GT(tf, prev_tf);  // grows with T
    prev_tf = tf;
    EXPECT_EQ(row.at("IndRNN streaming prediction").at("peak_bytes").get<double>(), rnn0);  // constant
  }
  // At least the T tokens of d = 17 doubles must be held by the Transformer.
  EXPECT_GE(prev_tf, 4096.0 * 17 * 8);
  EXPECT_TRUE(r.at("details").at("deterministic_over_replicates").get<bool>());
}

TEST(ClaimsRecurrent, BadParametersAreBadInput) {
  ac::check_options opt;
  EXPECT_THROW(ac::run_claim(*ac::find_claim("arda2026.rnn-contrast"), {"Ts=4,8,16", "L=8"}, opt), ac::bad_input);
  EXPECT_THROW(ac::run_claim(*ac::find_claim("arda2026.ar-lag"), {"n=10", "val_frac=0.05"}, opt), ac::bad_input);
  EXPECT_THROW(ac::run_claim(*ac::find_claim("arda2026.memory"), {"Ts=1,16,32"}, opt), ac::bad_input);
  EXPECT_THROW(ac::run_claim(*ac::find_claim("arda2026.ar-lag"), {"hparams=3"}, opt), ac::bad_input);
}
