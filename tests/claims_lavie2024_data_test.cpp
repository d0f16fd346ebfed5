// lavie2024.data-symmetry at small sizes: the exchangeable mixture is exactly S_L-symmetric in
// the population and its sample asymmetry decays; the Markov HMM mixture is not symmetric; the
// same details for --jobs 1 and 2; bad input and the exactly symmetric sample.
#include <gtest/gtest.h>

#include <cmath>

#include "claims/claim.hpp"

namespace {

using namespace attnbound::claims;

claim_result run_small(const std::string& n, const std::string& replicates, const std::string& V = "3", const std::string& L = "4",
                       int jobs = 2) {
  const claim* c = find_claim("lavie2024.data-symmetry");
  EXPECT_NE(c, nullptr);
  run_context ctx;
  ctx.params = resolve_params(c->info.id, c->params, {"V=" + V, "L=" + L, "n=" + n, "replicates=" + replicates}, false);
  ctx.seed = 7;
  ctx.jobs = jobs;
  return c->run(ctx);
}

TEST(Lavie2024DataSymmetry, ExchangeableSymmetricMarkovNot) {
  const auto r = run_small("200,800,3200", "8");
  EXPECT_EQ(r.v, verdict::holds) << r.summary;
  EXPECT_LE(r.details["population_asymmetry_exchangeable"].get<double>(), 1e-12);
  EXPECT_GT(r.details["population_asymmetry_markov"].get<double>(), 1e-3);
  const auto& rows = r.details["per_n"];
  ASSERT_EQ(rows.size(), 3u);
  // Quadrupling n halves the exchangeable asymmetry (n^{-1/2}); the Markov one does not vanish.
  const double e0 = rows[0]["exchangeable_median"], e2 = rows[2]["exchangeable_median"];
  EXPECT_NEAR(e2 / e0, 0.25, 0.12);
  EXPECT_GT(rows[2]["markov_median"].get<double>(), 2 * e2);
  EXPECT_LE(r.details["identity"]["eigen_gap"].get<double>(), 1e-10);
}

TEST(Lavie2024DataSymmetry, SameSeedSameResultForAnyJobs) {
  const auto a = run_small("100,400,1600", "4"), b = run_small("100,400,1600", "4", "3", "4", 1);
  EXPECT_EQ(a.details.dump(), b.details.dump());
  EXPECT_EQ(a.summary, b.summary);
}

TEST(Lavie2024DataSymmetry, ExactlySymmetricSamplesAreInconclusiveAndAHugeSpaceIsBadInput) {
  // [2]^2 with n = 8: some sample covariances are exactly S_L-symmetric (asymmetry 0, no logarithm).
  const auto r = run_small("8,9,10", "3", "2", "2");
  EXPECT_EQ(r.v, verdict::inconclusive) << r.summary;
  EXPECT_NE(r.summary.find("not fitted"), std::string::npos) << r.summary;
  for (const auto& s : r.statistics) EXPECT_TRUE(std::isfinite(s.value) && std::isfinite(s.band)) << s.name;
  EXPECT_THROW(run_small("100,400,1600", "3", "5", "7"), bad_input);  // 5^7 > 65536
}

}  // namespace
