// The C++ half of the side-by-side comparison with the PyTorch reference (bench/side_by_side.py).
//
// Draws one teacher-student problem (spec 5.1: clipped Gaussian tokens, a transport-map teacher
// from R anchors, Monte Carlo labels over a pool) and a symmetric initialization (spec 2) from
// --seed, writes them as .npy files for bench/reference_torch.py, then runs ProjGD (train() of
// model/projgd.hpp, the code path the claims use) for --steps steps --repeats times with
// --threads threads and prints one JSON line: the loss trajectory L_n(phi_s), s < steps, and
// steps per second (median over repeats; each repeat's time includes train()'s two extra loss
// evaluations, average and final iterate, so the rate is a slight under-estimate).
//
//   attnbound_side_by_side --m 64 [--d 8 --T 16 --n 4000 --steps 20 --repeats 3 --threads 2
//                          --seed 1 --pool 1024 --out DIR]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/projgd.hpp"
#include "model/rng.hpp"
#include "model/teacher_student.hpp"
#include "model/transformer.hpp"

namespace {

using namespace attnbound::model;

// A C-order little-endian float64 .npy file (format version 1.0) with the given shape.
void write_npy(const std::filesystem::path& path, const std::vector<long>& shape,
               const std::vector<double>& data) {
  std::string dims;  // "(n,)" or "(n, T, d)"
  for (std::size_t k = 0; k < shape.size(); ++k) dims += (k ? ", " : "") + std::to_string(shape[k]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.write(reinterpret_cast<const char*>(magic), 8);
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  const unsigned char len_le[2] = {static_cast<unsigned char>(len & 0xff),
                                   static_cast<unsigned char>(len >> 8)};
  out.write(reinterpret_cast<const char*>(len_le), 2);
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * sizeof(double)));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_problem(const std::filesystem::path& dir, const sequence_data& data,
                   const transformer_params& phi0, const projgd_options& opt) {
  std::filesystem::create_directories(dir);
  const int d = data.d, T = data.T, n = data.n, m = phi0.m();
  // X (n, T, d): sample j, token t, coordinate r = data.X(r, j*T + t); the column-major
  // d x (T n) storage is already this C-order array.
  write_npy(dir / "X.npy", {n, T, d}, std::vector<double>(data.X.data(), data.X.data() + data.X.size()));
  write_npy(dir / "y.npy", {n}, std::vector<double>(data.y.data(), data.y.data() + n));
  write_npy(dir / "c0.npy", {m}, std::vector<double>(phi0.c.data(), phi0.c.data() + m));
  std::vector<double> U(static_cast<std::size_t>(m) * d), W(static_cast<std::size_t>(m) * d * d);
  for (int i = 0; i < m; ++i)
    for (int r = 0; r < d; ++r) {
      U[static_cast<std::size_t>(i) * d + r] = phi0.U(r, i);  // U[i] = U_i
      for (int k = 0; k < d; ++k)                              // W[i][r][k] = (W_i)_{rk}
        W[(static_cast<std::size_t>(i) * d + r) * d + k] = phi0.W(static_cast<Eigen::Index>(i) * d + r, k);
    }
  write_npy(dir / "U0.npy", {m, d}, U);
  write_npy(dir / "W0.npy", {m, d, d}, W);
  std::ofstream meta(dir / "meta.json");
  char buf[256];
  std::snprintf(buf, sizeof buf, "{\"eta\": %.17g, \"rho\": [%.17g, %.17g, %.17g]}\n", opt.eta,
                opt.rho.c, opt.rho.u, opt.rho.w);
  meta << buf;
  if (!meta) throw std::runtime_error("cannot write meta.json");
}

[[noreturn]] void bad_input(const std::string& what) {
  std::cerr << "attnbound_side_by_side: " << what << "\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> arg = {{"d", "8"},       {"T", "16"},      {"n", "4000"},
                                            {"m", "64"},      {"steps", "20"},  {"repeats", "3"},
                                            {"threads", "2"}, {"seed", "1"},    {"pool", "1024"},
                                            {"out", ""}};
  for (int k = 1; k < argc; k += 2) {
    const std::string key = argv[k];
    if (key.rfind("--", 0) != 0 || !arg.count(key.substr(2)) || k + 1 >= argc)
      bad_input("unknown or incomplete option " + key);
    arg[key.substr(2)] = argv[k + 1];
  }
  auto integer = [&](const char* key, long lo, long hi) {
    std::size_t used = 0;
    long v = 0;
    try { v = std::stol(arg[key], &used); } catch (...) { used = 0; }
    if (used == 0 || used != arg[key].size() || v < lo || v > hi)
      bad_input(std::string("--") + key + " must be an integer in [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "]");
    return static_cast<int>(v);
  };
  const int d = integer("d", 1, 256), T = integer("T", 1, 1 << 16), n = integer("n", 1, 10000000),
            m = integer("m", 2, 1 << 16), steps = integer("steps", 1, 1000000),
            repeats = integer("repeats", 1, 1000), threads = integer("threads", 1, 256),
            pool = integer("pool", 1, 10000000);
  const auto seed = static_cast<std::uint64_t>(integer("seed", 0, 1L << 30));
  if (m % 2) bad_input("--m must be even (symmetric initialization)");

  rng_t data_rng = make_rng(seed, "bench.side_by_side.data", {std::uint64_t(d), std::uint64_t(T), std::uint64_t(n)});
  sequence_data data;
  data.d = d, data.T = T, data.n = n;
  data.X = clipped_gaussian_tokens(d, T, n, data_rng);
  const transport_map teacher =
      make_transport_map(data, std::min(16, n), mixture_weights::random_signs, 3, 3, 3, false, data_rng);
  data.y = teacher_labels(teacher, data, pool, data_rng);
  rng_t init_rng = make_rng(seed, "bench.side_by_side.init", {std::uint64_t(m)});
  const transformer_params phi0 = symmetric_init(d, m, init_rng);

  projgd_options opt;
  opt.tau = steps;
  opt.eta = 1.0 / std::sqrt(4000.0);  // the paper's eta = 1/sqrt(tau) at tau = 4000
  opt.record_losses = true;
  opt.threads = threads;
  if (!arg["out"].empty()) write_problem(arg["out"], data, phi0, opt);

  std::vector<double> rates;
  projgd_result res;
  transformer_workspace ws;
  for (int k = 0; k < repeats; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    res = train(phi0, data, opt, ws);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(steps / sec);
  }
  std::sort(rates.begin(), rates.end());
  std::ostringstream losses;
  losses.precision(17);
  for (std::size_t s = 0; s < res.losses.size(); ++s) losses << (s ? ", " : "") << res.losses[s];
  std::printf("{\"m\": %d, \"n\": %d, \"steps\": %d, \"threads\": %d, \"steps_per_s\": %.6g, "
              "\"losses\": [%s]}\n",
              m, n, steps, threads, rates[rates.size() / 2], losses.str().c_str());
  return 0;
}
