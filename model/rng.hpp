// Reproducible random streams. One `--seed` fixes everything: each run draws from its own
// generator seeded from (seed, stream name, configuration numbers, replicate), so results do
// not depend on thread count or order. Boost.Random distributions are used because their
// output is specified (libstdc++'s are not).
#pragma once

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace attnbound::model {

using rng_t = boost::random::mt19937_64;

/// splitmix64 finalizer: a bijective mix of 64 bits.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Seed for the stream named `stream` under `seed`, keyed further by `keys`
/// (configuration values, replicate index). FNV-1a over the name, then splitmix.
inline std::uint64_t stream_seed(std::uint64_t seed, std::string_view stream,
                                 std::initializer_list<std::uint64_t> keys = {}) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : stream) h = (h ^ ch) * 0x100000001b3ULL;
  std::uint64_t z = mix64(seed ^ mix64(h));
  for (std::uint64_t k : keys) z = mix64(z ^ mix64(k + 0x632be59bd9b4e019ULL));
  return z;
}

inline rng_t make_rng(std::uint64_t seed, std::string_view stream,
                      std::initializer_list<std::uint64_t> keys = {}) {
  return rng_t(stream_seed(seed, stream, keys));
}

inline double standard_normal(rng_t& rng) {
  boost::random::normal_distribution<double> n(0.0, 1.0);
  return n(rng);
}

/// Rademacher +-1.
inline double rademacher(rng_t& rng) {
  boost::random::uniform_int_distribution<int> b(0, 1);
  return b(rng) ? 1.0 : -1.0;
}

}  // namespace attnbound::model
