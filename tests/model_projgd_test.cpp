// Tests of model/projgd: ProjGD / ProjSGD / plain GD (spec section 2), the tracked best and
// average iterates, and reproducibility of the ProjSGD index stream.
#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "model/projgd.hpp"
#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

using namespace attnbound::model;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// A small realizable teacher problem (spec 5.1 in miniature).
struct problem {
  sequence_data data;
  transformer_params phi0;
};

problem small_teacher(int m, std::uint64_t seed) {
  rng_t rng = make_rng(seed, "test-projgd-problem");
  problem p;
  p.data.d = 4;
  p.data.T = 6;
  p.data.n = 48;
  p.data.X = clipped_gaussian_tokens(4, 6, 48, rng);
  const transport_map v =
      make_transport_map(p.data, 4, mixture_weights::random_signs, 3, 3, 3, false, rng);
  p.data.y = teacher_labels(v, p.data, 1024, rng);
  p.phi0 = symmetric_init(4, m, rng);
  return p;
}

bool same(const transformer_params& a, const transformer_params& b) {
  return a.c == b.c && a.U == b.U && a.W == b.W;
}

TEST(ModelProjGD, LossDecreasesAndIteratesStayInBall) {
  const problem p = small_teacher(32, 1);
  transformer_workspace ws;
  projgd_options opt;
  opt.tau = 300;
  opt.eta = 1.75 / std::sqrt(double(opt.tau));
  opt.record_losses = true;
  const projgd_result r = train(p.phi0, p.data, opt, ws);
  ASSERT_EQ(static_cast<int>(r.losses.size()), opt.tau);
  EXPECT_DOUBLE_EQ(r.initial_loss, loss(p.phi0, p.data, ws));
  EXPECT_DOUBLE_EQ(r.losses[0], r.initial_loss);
  EXPECT_GT(r.initial_loss, 1e-3);
  EXPECT_LT(r.final_loss, 0.5 * r.initial_loss);
  EXPECT_LT(r.min_loss, 0.5 * r.initial_loss);
  EXPECT_DOUBLE_EQ(r.min_loss, r.losses[r.argmin]);
  EXPECT_DOUBLE_EQ(r.min_loss, loss(r.best, p.data, ws));
  EXPECT_GE(r.mean_loss, r.min_loss);
  EXPECT_DOUBLE_EQ(r.final_loss, loss(r.last, p.data, ws));
  EXPECT_DOUBLE_EQ(r.average_iterate_loss, loss(r.average, p.data, ws));
  EXPECT_GT(r.max_grad_norm, 0.0);
  EXPECT_LE(r.max_grad_W_norm, r.max_grad_norm);
  for (const auto* phi : {&r.best, &r.last, &r.average})
    EXPECT_TRUE(in_ball(*phi, p.phi0, opt.rho));

  // Plain GD with a large step leaves the ball: the projection above was doing work.
  projgd_options gd = opt;
  gd.project = false;
  gd.eta = 20;
  gd.tau = 50;
  EXPECT_FALSE(in_ball(train(p.phi0, p.data, gd, ws).last, p.phi0, opt.rho));
  gd.project = true;
  EXPECT_TRUE(in_ball(train(p.phi0, p.data, gd, ws).last, p.phi0, opt.rho));
}

TEST(ModelProjGD, ProjSGDReproducibleFromSeed) {
  const problem p = small_teacher(16, 2);
  transformer_workspace ws;
  projgd_options opt;
  opt.tau = 200;
  opt.eta = 0.1;
  opt.batch = 1;
  opt.seed = 42;
  opt.eval_every = 7;
  opt.record_losses = true;
  const projgd_result a = train(p.phi0, p.data, opt, ws);
  transformer_workspace ws2;
  const projgd_result b = train(p.phi0, p.data, opt, ws2);
  EXPECT_EQ(a.losses, b.losses);
  EXPECT_TRUE(same(a.last, b.last));
  EXPECT_TRUE(same(a.average, b.average));
  EXPECT_EQ(a.min_loss, b.min_loss);
  EXPECT_EQ(a.max_grad_norm, b.max_grad_norm);
  EXPECT_EQ(static_cast<int>(a.losses.size()), (opt.tau + opt.eval_every - 1) / opt.eval_every);
  EXPECT_LT(a.min_loss, a.initial_loss);
  EXPECT_TRUE(in_ball(a.last, p.phi0, opt.rho));
  opt.seed = 43;
  EXPECT_FALSE(same(train(p.phi0, p.data, opt, ws).last, a.last));
}

// Replays the iteration by hand and checks every tracked quantity.
void check_against_manual(const problem& p, const projgd_options& opt) {
  transformer_workspace ws;
  const projgd_result r = train(p.phi0, p.data, opt, ws);

  rng_t index_rng = make_rng(opt.seed, "projsgd-index");
  boost::random::uniform_int_distribution<int> uniform(0, p.data.n - 1);
  transformer_params phi = p.phi0, grad, sum = transformer_params::zeros(p.phi0.d(), p.phi0.m());
  std::vector<double> losses;
  std::vector<transformer_params> iterates;
  double max_gw = 0, max_g = 0;
  for (int s = 0; s < opt.tau; ++s) {
    iterates.push_back(phi);
    if (opt.batch == 0 || s % opt.eval_every == 0) losses.push_back(loss(phi, p.data, ws));
    std::vector<int> idx;
    if (opt.batch == 1) idx.push_back(uniform(index_rng));
    loss_and_gradient(phi, p.data, idx, grad, ws);
    max_gw = std::max(max_gw, grad.W.norm());
    max_g = std::max(max_g, std::sqrt(grad.squared_norm()));
    phi.axpy(-opt.eta, grad);
    if (opt.project) project(phi, p.phi0, opt.rho);
  }
  for (const auto& it : iterates) sum.axpy(1.0 / opt.tau, it);

  transformer_params diff = r.average;
  diff.axpy(-1, sum);
  EXPECT_LT(std::sqrt(diff.squared_norm()), 1e-13 * std::sqrt(sum.squared_norm()));
  EXPECT_NEAR(r.average_iterate_loss, loss(sum, p.data, ws), 1e-12);
  EXPECT_TRUE(same(r.last, phi));
  EXPECT_EQ(r.final_loss, loss(phi, p.data, ws));
  ASSERT_EQ(r.losses.size(), losses.size());
  for (size_t k = 0; k < losses.size(); ++k) EXPECT_NEAR(r.losses[k], losses[k], 1e-14);
  const auto it = std::min_element(losses.begin(), losses.end());
  const int argmin = static_cast<int>(it - losses.begin()) * (opt.batch == 1 ? opt.eval_every : 1);
  EXPECT_EQ(r.argmin, argmin);
  EXPECT_NEAR(r.min_loss, *it, 1e-14);
  EXPECT_TRUE(same(r.best, iterates[argmin]));
  double mean = 0;
  for (double l : losses) mean += l / losses.size();
  EXPECT_NEAR(r.mean_loss, mean, 1e-14);
  EXPECT_NEAR(r.initial_loss, losses[0], 1e-14);
  EXPECT_NEAR(r.max_grad_W_norm, max_gw, 1e-14);
  EXPECT_NEAR(r.max_grad_norm, max_g, 1e-14);
}

TEST(ModelProjGD, TrackedIteratesMatchManualReplay) {
  const problem p = small_teacher(8, 3);
  projgd_options opt;
  opt.record_losses = true;
  opt.eta = 0.8;  // large enough that the projection is active
  for (int tau : {1, 2, 5}) {
    opt.tau = tau;
    opt.batch = 0;
    check_against_manual(p, opt);
    opt.batch = 1;
    opt.seed = 9;
    opt.eval_every = 2;
    check_against_manual(p, opt);
    opt.project = false;
    check_against_manual(p, opt);
    opt.project = true;
    opt.eval_every = 1;
  }
}

TEST(ModelProjGD, RejectsBadOptions) {
  const problem p = small_teacher(4, 4);
  transformer_workspace ws;
  projgd_options opt;
  opt.tau = 0;
  EXPECT_THROW(train(p.phi0, p.data, opt, ws), std::invalid_argument);
  opt.tau = 3;
  for (double eta : {0.0, -1.0, std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
    opt.eta = eta;
    EXPECT_THROW(train(p.phi0, p.data, opt, ws), std::invalid_argument);
  }
  opt.eta = 0.1;
  opt.batch = 2;
  EXPECT_THROW(train(p.phi0, p.data, opt, ws), std::invalid_argument);
  opt.batch = 1;
  opt.eval_every = 0;
  EXPECT_THROW(train(p.phi0, p.data, opt, ws), std::invalid_argument);
  opt.eval_every = 1;
  EXPECT_NO_THROW(train(p.phi0, p.data, opt, ws));
}

}  // namespace
