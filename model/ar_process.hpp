// The AR(L) forecasting data of Arda, Cayci & Eryilmaz 2026 section 6.2 (spec 5.2), as the
// authors' code builds it (make_ar_forecasting_data):
//   x_t = alpha x_{t-L} + eps_t,  eps_t ~ N(0, sigma_eps^2),  alpha = 0.9, sigma_eps^2 = 0.1,
//   x_0..x_{L-1} ~ N(0, 1), one long series, burn-in 800;
//   sliding windows of T consecutive values, label y = the next value, y standardized over the
//   n windows (population sd); token t of a window = (x, sin(2 pi t/P_k), cos(2 pi t/P_k)) with
//   periods P_k = 32 * 2^k, k = 0..7 (8 sin + 8 cos), so d = 17; t = 0..T-1 counts from the
//   window's first token. Tokens are not norm-clipped unless asked (the code's
//   normalize_columns: each token divided by max(1, ||token||)).
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

#include "model/rng.hpp"
#include "model/transformer.hpp"

namespace attnbound::model {

struct ar_options {
  int L = 4;                 // lag
  double alpha = 0.9;        // AR coefficient, |alpha| < 1
  double noise_var = 0.1;    // sigma_eps^2
  int burn_in = 800;         // first window starts after this many values
  int pos_pairs = 8;         // sin/cos pairs of positional channels
  double base_period = 32;   // period of the first pair; pair k has base_period * 2^k
  bool normalize_tokens = false;  // divide each token by max(1, its norm): ||X_t|| <= 1
  int d() const { return 1 + 2 * pos_pairs; }
};

/// Throws std::invalid_argument when an option is out of its domain.
void validate(const ar_options& o);

/// The series x_0 .. x_{length-1} of AR(L) (first L values N(0,1), then the recursion).
std::vector<double> ar_series(const ar_options& o, int length, rng_t& rng);

/// The 2*pos_pairs positional channels of position t (sin for every pair, then cos).
void positional_channels(const ar_options& o, int t, double* out);

/// Token t of a window whose values start at `values` (d = 1 + 2 pos_pairs entries).
void ar_token(const ar_options& o, double value, int t, double* out);

/// n windows of T tokens and their labels. Window j predicts x[first_target + j] from
/// x[first_target + j - T .. first_target + j - 1]; labels standardized over the n windows.
/// The authors' convention (start s = burn_in + j, label x[s + T]) is
/// first_target = burn_in + T; with a common first_target, windows of different T share
/// their labels and their most recent tokens (the same data at every T).
sequence_data ar_windows(const ar_options& o, const std::vector<double>& series, int T, int n,
                         int first_target);

/// Training / validation split by a uniform random permutation of the windows (the code's
/// torch.randperm): the first round(val_frac * n) permuted windows (floor, as int() does)
/// validate, the rest train.
struct ar_split {
  sequence_data train, val;
};
ar_split split_windows(const sequence_data& all, double val_frac, rng_t& rng);

/// A streaming source of the tokens of one AR(L) window: O(L + d) memory, allocated at
/// construction; next() writes the next token without allocating (for memory measurements,
/// where the model, not the data source, must be what allocates).
class ar_token_stream {
 public:
  ar_token_stream(const ar_options& o, rng_t rng);
  /// Writes token t (t = 0, 1, ... counted from the stream's start) into out[0..d-1].
  void next(double* out);
  int position() const { return t_; }

 private:
  ar_options o_;
  rng_t rng_;
  std::vector<double> ring_;  // the last L values
  long long n_ = 0;           // values produced (including the burn-in)
  int t_ = 0;
  double draw();
};

}  // namespace attnbound::model
