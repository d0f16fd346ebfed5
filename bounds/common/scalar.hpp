// High-precision scalar types for bounds/ (Boost.Multiprecision, MPFR and MPFI backends).
//
// Every bound in bounds/ is a function template on Scalar. It runs in `double` for speed,
// in `mp_real` (MPFR, run-time digits) for reference values, and in `mp_interval` (MPFI,
// outward-rounded) for certified enclosures: a claim "measured <= bound" passes only when
// measured <= lower(enclosure), and a reported bound is upper(enclosure).
#pragma once

#include <boost/multiprecision/mpfi.hpp>
#include <boost/multiprecision/mpfr.hpp>

#include <string>

namespace attnbound {

using mp_real = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<0>,
                                              boost::multiprecision::et_off>;
using mp_interval = boost::multiprecision::number<boost::multiprecision::mpfi_float_backend<0>,
                                                  boost::multiprecision::et_off>;

/// Sets the working precision (decimal digits) of newly created mp_real / mp_interval
/// values for the lifetime of the guard; restores the previous precision afterwards.
class precision_guard {
 public:
  explicit precision_guard(unsigned digits10)
      : old_real_(mp_real::default_precision()), old_interval_(mp_interval::default_precision()) {
    mp_real::default_precision(digits10);
    mp_interval::default_precision(digits10);
  }
  ~precision_guard() {
    mp_real::default_precision(old_real_);
    mp_interval::default_precision(old_interval_);
  }
  precision_guard(const precision_guard&) = delete;
  precision_guard& operator=(const precision_guard&) = delete;

 private:
  unsigned old_real_, old_interval_;
};

/// Decimal string with `digits` significant digits (scientific notation).
inline std::string to_decimal(const mp_real& x, unsigned digits) {
  return x.str(static_cast<std::streamsize>(digits), std::ios_base::scientific);
}

/// Ends of an enclosure; for point types (double, mp_real) the value itself, so `lower(x) > 0`
/// reads "every point of x is > 0" for every Scalar.
/// (Read with MPFI's own accessors, which round the end outward: lower down, upper up.)
inline mp_real lower(const mp_interval& x) {
  mp_real r;
  mpfi_get_left(r.backend().data(), x.backend().data());
  return r;
}
inline mp_real upper(const mp_interval& x) {
  mp_real r;
  mpfi_get_right(r.backend().data(), x.backend().data());
  return r;
}
inline double lower(double x) { return x; }
inline double upper(double x) { return x; }
inline mp_real lower(const mp_real& x) { return x; }
inline mp_real upper(const mp_real& x) { return x; }

}  // namespace attnbound
