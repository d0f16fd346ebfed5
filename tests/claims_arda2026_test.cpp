// Every Arda et al. 2026 claim runs end to end at a tiny scale, gives a verdict that is not
// "violated", writes finite numbers, and is reproducible (bit-identical for 1 and 2 jobs).
#include <gtest/gtest.h>

#include "claims/claim.hpp"
#include "claims/runner.hpp"
#include "expect_finite_numbers.hpp"

namespace ac = attnbound::claims;
using attnbound::test::expect_finite_numbers;

namespace {

struct tiny_case {
  const char* id;
  std::vector<std::string> overrides;
};

const std::vector<tiny_case>& cases() {
  static const std::vector<tiny_case> c = {
      {"arda2026.lemma3.linearization", {"n=40", "widths=8,16,32", "seeds=3"}},
      {"arda2026.lemma5.approximation", {"n=40", "widths=8,32", "seeds=20", "problems=1", "pool=256"}},
      {"arda2026.width-log-n", {"n_grid=30,100,300", "seeds=6", "pool=128"}},
      {"arda2026.t-independence", {"Ts=2,8,32", "m=4", "n=20", "tau=20", "seeds=3", "pool=64"}},
      {"arda2026.theorem1.projgd", {"n=30", "widths=4,8,16", "tau=40", "seeds=3", "pool=128"}},
      {"arda2026.prop1.projsgd", {"n=30", "widths=4,8,16", "tau=200", "seeds=3", "pool=128", "eval_every=10"}},
  };
  return c;
}

}  // namespace

TEST(ClaimsArda2026, EveryClaimIsRegisteredWithItsProvenance) {
  for (const auto& c : cases()) {
    const ac::claim* claim = ac::find_claim(c.id);
    ASSERT_NE(claim, nullptr) << c.id;
    EXPECT_FALSE(claim->info.theorem.empty());
    EXPECT_TRUE(claim->info.status == "exact" || claim->info.status == "reconstructed") << c.id;
  }
}

TEST(ClaimsArda2026, TinyRunsGiveAVerdictAndFiniteNumbers) {
  for (const auto& c : cases()) {
    ac::check_options opt;
    opt.seed = 11;
    const auto r = ac::run_claim(*ac::find_claim(c.id), c.overrides, opt);
    const auto& claim = r.at("claims").at(0);
    SCOPED_TRACE(c.id);
    EXPECT_FALSE(claim.contains("error")) << claim.dump();
    const std::string v = claim.at("verdict");
    EXPECT_NE(v, "violated") << claim.dump(2);  // tiny runs may be inconclusive
    expect_finite_numbers(claim, c.id);
    EXPECT_FALSE(claim.at("worst").empty()) << "a worst configuration names the replay seed";
  }
}

TEST(ClaimsArda2026, ResultsDoNotDependOnJobs) {
  for (const char* id : {"arda2026.lemma3.linearization", "arda2026.theorem1.projgd"}) {
    const auto& c = *std::find_if(cases().begin(), cases().end(), [&](const tiny_case& t) { return t.id == std::string(id); });
    ac::check_options one, two;
    one.seed = two.seed = 5;
    two.jobs = 2;
    auto a = ac::run_claim(*ac::find_claim(id), c.overrides, one).at("claims").at(0);
    auto b = ac::run_claim(*ac::find_claim(id), c.overrides, two).at("claims").at(0);
    a.erase("seconds");
    b.erase("seconds");
    EXPECT_EQ(a.dump(), b.dump()) << id;
  }
}

TEST(ClaimsArda2026, DifferentSeedsGiveDifferentMeasurements) {
  const auto& c = cases()[0];
  ac::check_options a, b;
  a.seed = 1, b.seed = 2;
  const auto ra = ac::run_claim(*ac::find_claim(c.id), c.overrides, a).at("claims").at(0);
  const auto rb = ac::run_claim(*ac::find_claim(c.id), c.overrides, b).at("claims").at(0);
  EXPECT_NE(ra.at("measured").get<double>(), rb.at("measured").get<double>());
}

TEST(ClaimsFramework, GlobMatching) {
  EXPECT_TRUE(ac::glob_match("*", "arda2026.lemma3.linearization"));
  EXPECT_TRUE(ac::glob_match("arda2026.lemma*", "arda2026.lemma5.approximation"));
  EXPECT_TRUE(ac::glob_match("arda2026.lemma?.*", "arda2026.lemma3.linearization"));
  EXPECT_FALSE(ac::glob_match("arda2026.lemma*", "arda2026.width-log-n"));
  EXPECT_FALSE(ac::glob_match("lemma*", "arda2026.lemma3"));
}

TEST(ClaimsFramework, ParameterValidation) {
  const auto& specs = ac::find_claim("arda2026.lemma3.linearization")->params;
  EXPECT_THROW(ac::resolve_params("x", specs, {"widths=7"}, false), ac::bad_input);
  EXPECT_THROW(ac::resolve_params("x", specs, {"seeds=1.5"}, false), ac::bad_input);
  EXPECT_THROW(ac::resolve_params("x", specs, {"delta_prime=1"}, false), ac::bad_input);
  EXPECT_THROW(ac::resolve_params("x", specs, {"rho=inf"}, false), ac::bad_input);
  EXPECT_THROW(ac::resolve_params("x", specs, {"nope=1"}, false), ac::bad_input);
  EXPECT_THROW(ac::resolve_params("x", specs, {"widths=8,16"}, false), ac::bad_input);  // a fit needs 3
  EXPECT_THROW(ac::resolve_params("x", specs, {"widths=8,16,8"}, false), ac::bad_input);
  const auto ok = ac::resolve_params("x", specs, {"widths=8,16,32"}, false);
  EXPECT_EQ(ok.int_list("widths"), (std::vector<int>{8, 16, 32}));
  EXPECT_EQ(ac::resolve_params("x", specs, {}, true).text.at("n"), "4000");
}
