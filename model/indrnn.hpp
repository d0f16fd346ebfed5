// The independently recurrent network (IndRNN) of Arda et al. 2026 section 6.2 (spec 5.2),
// the recurrent model of Cayci & Eryilmaz 2024 (arXiv 2402.12241):
//   h_t = tanh(W_in x_t + u (.) h_{t-1}),  h_0 = 0,  t = 1..T      (u: diagonal recurrence)
//   f(X; phi) = m^(-1/2) sum_i c_i h_{T,i},   phi = (c, u, W_in); no bias.
// Gradients by backpropagation through time (BPTT), with z_t = W_in x_t + u (.) h_{t-1}:
//   dL/dh_T = m^(-1/2) c dL/df,  dL/dz_t = dL/dh_t (.) tanh'(z_t),  dL/dh_{t-1} = u (.) dL/dz_t,
//   dL/du = sum_t dL/dz_t (.) h_{t-1},  dL/dW_in = sum_t dL/dz_t x_t^T,  dL/dc = m^(-1/2) h_T dL/df.
// Unrolled for one neuron, dh_T/du = sum_k (prod_{j>k} tanh'(z_j) u) tanh'(z_k) h_{k-1}: a sum of
// T terms whose factors grow like |u|^(T-k) when tanh' ~ 1 (Cayci-Eryilmaz Prop. 3.1; the
// recurrent constant Lambda_T of bounds/cayci2024).
//
// Data: model::sequence_data (d x (T*n), sample j = columns j*T .. j*T+T-1, token order =
// time order), shared with the Transformer so both models see the same windows.
#pragma once

#include <Eigen/Dense>

#include <vector>

#include "model/rng.hpp"
#include "model/transformer.hpp"

namespace attnbound::model {

/// phi = (c, u, W_in) for m neurons; also used for gradients.
struct indrnn_params {
  Eigen::VectorXd c;     // m read-out weights
  Eigen::VectorXd u;     // m diagonal recurrent weights
  Eigen::MatrixXd W_in;  // m x d input weights (row i feeds neuron i)
  int d() const { return static_cast<int>(W_in.cols()); }
  int m() const { return static_cast<int>(c.size()); }
  static indrnn_params zeros(int d, int m);
  double dot(const indrnn_params& o) const;
  double squared_norm() const;
  /// this += alpha * o
  void axpy(double alpha, const indrnn_params& o);
};

/// Scratch space of one computation; sized on first use, then reused.
///
/// `threads`: threads the batched functions (forward, loss, loss_and_gradient) use, the
/// calling thread included. Results are bit-identical for every value and every kernel ISA
/// (model::kernel_isa): neurons are packed one per vector lane, the samples are cut into a
/// fixed partition that depends only on their number and the model size, each piece's sums
/// run in sample order and the pieces are added in piece order (indrnn.cpp).
struct indrnn_workspace {
  int threads = 1;
  /// Packed parameters, per-worker buffers and the worker threads (indrnn.cpp); a copied
  /// workspace starts with none of it.
  struct state;
  struct handle {
    handle() = default;
    handle(const handle&) {}
    handle& operator=(const handle&) { return *this; }
    handle(handle&&) noexcept;
    handle& operator=(handle&&) noexcept;
    ~handle();
    state* get();
   private:
    state* p_ = nullptr;
  };
  handle batched;
};

/// Symmetric initialization (spec 5.2, the authors' code): for i < m/2, W_in row i ~ N(0, I_d),
/// u_i = +-u_abs with probability 1/2 each, c_i ~ Rad; neuron i + m/2 copies W_in row i and
/// u_i and takes c = -c_i, so f(X; phi0) = 0 identically. m even (std::invalid_argument).
/// The draws do not depend on u_abs: two magnitudes give the same signs, W_in and c.
indrnn_params indrnn_symmetric_init(int d, int m, double u_abs, rng_t& rng);

/// f(X_j; phi) for one sample (h_0 = 0).
double forward_one(const indrnn_params& phi, const sequence_data& data, int j,
                   indrnn_workspace& ws);

/// f(X_j; phi) for all j.
void forward(const indrnn_params& phi, const sequence_data& data, Eigen::VectorXd& f,
             indrnn_workspace& ws);

/// grad_phi f(X_j; phi) for one sample by BPTT, written into `grad` (overwritten).
void gradient_one(const indrnn_params& phi, const sequence_data& data, int j,
                  indrnn_params& grad, indrnn_workspace& ws);

/// L_B(phi) = (1/|B|) sum_{j in B} (f(X_j) - y_j)^2 (no 1/2) and its gradient (overwritten) by
/// BPTT in one pass; `idx` empty means the full batch [n].
double loss_and_gradient(const indrnn_params& phi, const sequence_data& data,
                         const std::vector<int>& idx, indrnn_params& grad, indrnn_workspace& ws);

/// L_n(phi) over all samples.
double loss(const indrnn_params& phi, const sequence_data& data, indrnn_workspace& ws);

/// The activation as the IndRNN evaluates it (a vectorizable form of tanh, a few ulp from
/// std::tanh); exposed for tests.
double indrnn_tanh(double x);

/// Streaming prediction: the recurrence keeps only h (m numbers) whatever T is, reading one
/// token at a time. All memory is allocated at construction; step() and prediction() do not
/// allocate.
class indrnn_stream {
 public:
  explicit indrnn_stream(const indrnn_params& phi);
  /// h <- tanh(W_in x + u (.) h) for the next token x (d entries).
  void step(const double* x);
  /// m^(-1/2) c . h_t after the tokens read so far.
  double prediction() const;
  void reset();

 private:
  const indrnn_params* phi_;
  Eigen::VectorXd h_, z_;
};

}  // namespace attnbound::model
