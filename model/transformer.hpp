// The shallow m-head softmax Transformer of Arda, Cayci & Eryilmaz 2026 (spec section 1).
// Paper notation: d token dimension, T tokens, m heads (even), n samples.
//
//   a(X; W_i) = X softmax(X^T W_i q_X)             (d),   q_X = X_T (last token)
//   h(X; theta_i) = tanh(U_i^T a(X; W_i))
//   f(X; phi) = m^(-1/2) sum_i c_i h(X; theta_i)
//
// Parameters, batched over heads:
//   c: m,   U: d x m (column i is U_i),   W: (d*m) x d (rows i*d .. i*d+d-1 are W_i).
// The batched functions repack them internally with one head per vector lane (transformer.cpp)
// and run over samples on transformer_workspace::threads threads; their results are
// bit-identical for every thread count and instruction set (kernel_isa).
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

#include "model/rng.hpp"

namespace attnbound::model {

/// phi = (c, U, W) for m heads; also used for gradients and parameter differences.
struct transformer_params {
  Eigen::VectorXd c;  // m
  Eigen::MatrixXd U;  // d x m
  Eigen::MatrixXd W;  // (d*m) x d
  int d() const { return static_cast<int>(U.rows()); }
  int m() const { return static_cast<int>(c.size()); }
  static transformer_params zeros(int d, int m);
  /// Euclidean inner product and norm over all blocks.
  double dot(const transformer_params& o) const;
  double squared_norm() const;
  /// this += alpha * o
  void axpy(double alpha, const transformer_params& o);
};

/// n sequences of T tokens in R^d, stored as one d x (T*n) matrix: sample j is the block of
/// columns j*T .. j*T+T-1; its query is its last token. y holds the labels.
struct sequence_data {
  int d = 0, T = 0, n = 0;
  Eigen::MatrixXd X;  // d x (T*n)
  Eigen::VectorXd y;  // n
  auto sample(int j) const { return X.middleCols(static_cast<Eigen::Index>(j) * T, T); }
  auto query(int j) const { return X.col(static_cast<Eigen::Index>(j) * T + T - 1); }
};

/// Scratch space of one computation; sized on first use, then reused (no allocation per step).
/// The Eigen members hold the per-sample quantities of forward_one / gradient_one (below).
///
/// `threads`: worker threads the batched functions (forward, loss, loss_and_gradient,
/// accumulate_weighted_gradient, forward_linearized, directional_derivative) use, the calling thread included.
/// Results are bit-identical for every value: the samples are cut into a fixed partition that
/// depends only on their number and the model size, each piece's partial sums are formed in
/// sample order, and the pieces are added in piece order. Workers are started on first use
/// and live as long as the workspace; they allocate nothing.
struct transformer_workspace {
  Eigen::VectorXd Wq;          // d*m
  Eigen::MatrixXd Z;           // T x m logits, then softmax weights alpha
  Eigen::MatrixXd A;           // d x m attention outputs a_i
  Eigen::MatrixXd XtU;         // T x m
  Eigen::MatrixXd MU;          // d x m, column i = M_i U_i
  Eigen::VectorXd pre, h, dh;  // m: U_i^T a_i, tanh, tanh'
  int threads = 1;
  void resize(int d, int T, int m);

  /// Batched kernels' state (packed parameters, per-worker buffers, the worker threads);
  /// defined in transformer.cpp. A copied workspace starts with none of it.
  struct batched_state;
  struct batched_handle {
    batched_handle() = default;
    batched_handle(const batched_handle&) {}
    batched_handle& operator=(const batched_handle&) { return *this; }
    batched_handle(batched_handle&&) noexcept;
    batched_handle& operator=(batched_handle&&) noexcept;
    ~batched_handle();
    batched_state* get();
   private:
    batched_state* p_ = nullptr;
  };
  batched_handle batched;
};

/// Per-sample quantities of one forward pass (views into the workspace).
/// f(X_j; phi) for sample j. Fills ws.A, ws.Z (softmax weights), ws.pre, ws.h, ws.dh.
double forward_one(const transformer_params& phi, const sequence_data& data, int j,
                   transformer_workspace& ws);

/// f(X_j; phi) for all j.
void forward(const transformer_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             transformer_workspace& ws);

/// Lemma 1: grad_phi f(X_j; phi) for one sample, written into `grad` (overwritten).
/// Also leaves the forward quantities and ws.MU (column i = M_i U_i) in the workspace.
void gradient_one(const transformer_params& phi, const sequence_data& data, int j,
                  transformer_params& grad, transformer_workspace& ws);

/// grad += sum_j w_j grad_phi f(X_j; phi) over the listed samples (all samples if `idx` is
/// empty), w aligned with idx (or with all samples). Used for the adversarial direction.
void accumulate_weighted_gradient(const transformer_params& phi, const sequence_data& data,
                                  const std::vector<int>& idx, const Eigen::VectorXd& w,
                                  transformer_params& grad, transformer_workspace& ws);

/// Empirical MSE without a 1/2, L_B(phi) = (1/|B|) sum_{j in B} (f(X_j) - y_j)^2, and its
/// gradient (overwritten) in one pass over the batch. `idx` empty means the full batch [n].
double loss_and_gradient(const transformer_params& phi, const sequence_data& data,
                         const std::vector<int>& idx, transformer_params& grad,
                         transformer_workspace& ws);

/// L_n(phi) over all samples.
double loss(const transformer_params& phi, const sequence_data& data, transformer_workspace& ws);

/// Definition 3: f_lin(X_j; phi) = f(X_j; phi0) + <grad f(X_j; phi0), phi - phi0> for all j.
void forward_linearized(const transformer_params& phi0, const transformer_params& phi,
                        const sequence_data& data, Eigen::VectorXd& f_lin,
                        transformer_workspace& ws);

/// <grad_phi f(X_j; phi0), delta> for all j, i.e. the first-order term of Definition 3:
///   m^-1/2 sum_i [h_i dc_i + c_i dh_i (a_i . dU_i + (M_i U_i) . dW_i q)],  delta = (dc, dU, dW).
/// With P initial draws as heads (c_i = 1) and delta = v(draws), this is sqrt(P) times the
/// Monte Carlo teacher label (1/P) sum_k <phi(X; draw_k), v(draw_k)> of spec 5.1.
void directional_derivative(const transformer_params& phi0, const transformer_params& delta,
                            const sequence_data& data, Eigen::VectorXd& out,
                            transformer_workspace& ws);

/// Symmetric initialization (spec section 2): heads i < m/2 draw W_i ~ N(0,1)^{dxd},
/// U_i ~ N(0, I_d), c_i ~ Rad; head i + m/2 copies W_i, U_i and takes c = -c_i, so
/// f(X; phi0) = 0 identically. m must be even (throws std::invalid_argument otherwise).
transformer_params symmetric_init(int d, int m, rng_t& rng);

/// Radii rho = (rho_c, rho_u, rho_w) of Omega_rho (Definition 2).
struct radii {
  double c = 3, u = 3, w = 3;
};

/// Projection onto Omega_rho: per head, radial clipping of |c_i - c_i0| <= rho_c/sqrt m,
/// ||U_i - U_i0|| <= rho_u/sqrt m, ||W_i - W_i0||_F <= rho_w/sqrt m. In place.
void project(transformer_params& phi, const transformer_params& phi0, const radii& rho);

/// Instruction set of the batched kernels. The widest one the CPU has is chosen at start-up;
/// every choice gives bit-identical results (each head is one vector lane, all arithmetic is
/// lane-wise IEEE double without contraction into FMA, sums run in a fixed order), so
/// binaries built for plain x86-64 use AVX2/AVX-512 where present. For tests and benchmarks.
enum class kernel_isa { generic, avx2, avx512 };
kernel_isa active_kernel_isa();
/// Switches the batched kernels to `isa`; false (and no change) when the CPU lacks it.
bool use_kernel_isa(kernel_isa isa);
const char* kernel_isa_name(kernel_isa isa);

/// True when phi is in Omega_rho (with relative slack `tol`).
bool in_ball(const transformer_params& phi, const transformer_params& phi0, const radii& rho,
             double tol = 1e-12);

}  // namespace attnbound::model
