// Vector instructions that Swift cannot emit from its SIMD types on the baseline x86-64 target:
// Swift's `squareRoot()` goes through the C library's `sqrtf` lane by lane (it must keep
// `errno`), and its float-to-integer conversion is a generic per-lane loop. These clang
// builtins lower to one instruction per register (`sqrtps`, `cvttps2dq` on SSE; `vsqrtps`,
// `vcvttps2dq` with AVX; `fsqrt`, `fcvtzs` on arm64). No algorithm logic lives here.
#ifndef OPTIMIZERS_SHIMS_H
#define OPTIMIZERS_SHIMS_H

#include <stdint.h>

typedef float optimizers_float8 __attribute__((ext_vector_type(8)));
typedef int32_t optimizers_int8 __attribute__((ext_vector_type(8)));

/// Correctly rounded square root of each lane (IEEE 754 `sqrt`; NaN for negative lanes).
static inline __attribute__((always_inline))
optimizers_float8 optimizers_sqrt8(optimizers_float8 x) {
    return __builtin_elementwise_sqrt(x);
}

/// Each lane converted to int32, rounding toward zero (lanes must lie in the int32 range).
static inline __attribute__((always_inline))
optimizers_int8 optimizers_truncate8(optimizers_float8 x) {
    return __builtin_convertvector(x, optimizers_int8);
}

#endif
