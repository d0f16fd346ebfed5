#include "claims/ahn2023/phenomena.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "claims/ahn2023/phenomena_claims.hpp"

namespace attnbound::claims::ahn2023 {

std::vector<claim> phenomena_claims() {
  return {trained_one_layer(), adam_vs_sgd(), depth_gap(), heavy_tailed_noise(), directional_smoothness_gap(),
          robust_condition_number_gap(), generalized_smoothness()};
}

setting setting_code(int code) {
  switch (code) {
    case 1: return setting_s1();
    case 2: return setting_s2();
    case 3: return setting_s3();
    case 4: return setting_sphere();
    default: throw bad_input(fmt::format("unknown setting code {} (1 = S1, 2 = S2, 3 = S3, 4 = sphere)", code));
  }
}

double band_of(const interval& i, double floor) {
  const double h = (i.high - i.low) / 2;
  return std::isfinite(h) ? std::max(floor, h) : floor;
}

figure loss_curves_figure(const std::string& id, const std::string& title, const std::vector<run_spec>& specs,
                          const std::vector<std::shared_ptr<const trajectory>>& runs) {
  figure f;
  f.id = id;
  f.title = title;
  f.xlabel = "iteration t";
  f.ylabel = "test loss f(theta_t) on the fixed test batch (unitless)";
  f.logy = true;
  for (auto opt : {icl::optimizer::adam, icl::optimizer::sgdm}) {
    std::set<int> ts;
    int seeds = 0;
    for (std::size_t i = 0; i < specs.size(); ++i)
      if (specs[i].opt == opt) {
        ++seeds;
        for (int t : runs[i]->eval_t) ts.insert(t);
      }
    if (ts.empty()) continue;
    std::vector<int> all(ts.begin(), ts.end());
    const std::size_t stride = std::max<std::size_t>(1, all.size() / 60);
    std::vector<double> xs;
    std::vector<std::vector<double>> ys;
    for (std::size_t k = 0; k < all.size(); ++k) {
      if (k % stride != 0 && k + 1 != all.size()) continue;
      std::vector<double> v;
      for (std::size_t i = 0; i < specs.size(); ++i)
        if (specs[i].opt == opt) {
          const double y = runs[i]->test_at(all[k]);
          if (std::isfinite(y)) v.push_back(y);
        }
      xs.push_back(all[k]);
      ys.push_back(v);
    }
    const auto& s = specs.front().s;
    f.curves.push_back(median_points(fmt::format("{} lr {} (median, 95% CI over {} seeds)", optimizer_name(opt), s.lr(opt), seeds),
                                     xs, ys));
  }
  return f;
}

}  // namespace attnbound::claims::ahn2023
