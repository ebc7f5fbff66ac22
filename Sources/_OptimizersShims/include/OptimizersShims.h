// Support code the Swift kernels cannot express: packed vector instructions that Swift's SIMD
// types do not emit on the baseline x86-64 target, and the processor's instruction-set level.
// No algorithm logic lives here.
//
// The vector functions are inline clang builtins, so each Swift module that calls them compiles
// them for its own target: `sqrtps` with SSE, `vsqrtps ymm` under `-target-cpu haswell`,
// `vsqrtps zmm` under `-target-cpu skylake-avx512`, `fsqrt` on arm64. Swift's own
// `squareRoot()` goes through the C library's `sqrtf` lane by lane (it must keep `errno`), and
// its vector conversions between floats and integers are generic per-lane loops.
#ifndef OPTIMIZERS_SHIMS_H
#define OPTIMIZERS_SHIMS_H

#include <stdint.h>

typedef float optimizers_float8 __attribute__((ext_vector_type(8)));
typedef int32_t optimizers_int8 __attribute__((ext_vector_type(8)));
typedef float optimizers_float16 __attribute__((ext_vector_type(16)));
typedef int32_t optimizers_int16 __attribute__((ext_vector_type(16)));

/// Correctly rounded square root of each lane (IEEE 754 `sqrt`; NaN for negative lanes).
static inline __attribute__((always_inline))
optimizers_float8 optimizers_sqrt8(optimizers_float8 x) { return __builtin_elementwise_sqrt(x); }
static inline __attribute__((always_inline))
optimizers_float16 optimizers_sqrt16(optimizers_float16 x) { return __builtin_elementwise_sqrt(x); }

/// Each lane converted to int32, rounding toward zero (lanes must lie in the int32 range).
static inline __attribute__((always_inline))
optimizers_int8 optimizers_truncate8(optimizers_float8 x) { return __builtin_convertvector(x, optimizers_int8); }
static inline __attribute__((always_inline))
optimizers_int16 optimizers_truncate16(optimizers_float16 x) { return __builtin_convertvector(x, optimizers_int16); }

/// Each int32 lane converted to the nearest float.
static inline __attribute__((always_inline))
optimizers_float8 optimizers_convert8(optimizers_int8 x) { return __builtin_convertvector(x, optimizers_float8); }
static inline __attribute__((always_inline))
optimizers_float16 optimizers_convert16(optimizers_int16 x) { return __builtin_convertvector(x, optimizers_float16); }

/// Asks the processor to bring the cache line at `address` into the cache ahead of its use (a hint:
/// it changes no value and cannot fault).
static inline __attribute__((always_inline))
void optimizers_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Bytes of the scratch block every thread owns (see `optimizers_thread_scratch`).
enum { OPTIMIZERS_SCRATCH_BYTES = 8192 };

/// This thread's scratch block: `OPTIMIZERS_SCRATCH_BYTES` bytes aligned to 64, allocated with
/// the thread (thread-local storage), so a kernel can keep a block of intermediate vectors in L1
/// without allocating. A kernel that uses it must not call another kernel that does.
void *optimizers_thread_scratch(void);

/// The instruction-set levels the kernels are built for, in increasing order.
enum {
    /// The architecture's baseline (SSE2 on x86-64, NEON on arm64).
    OPTIMIZERS_LEVEL_BASELINE = 0,
    /// What `-target-cpu haswell` lets the compiler use: AVX, AVX2, FMA, F16C, BMI1, BMI2,
    /// LZCNT, MOVBE and POPCNT, with the operating system saving the 256-bit registers.
    OPTIMIZERS_LEVEL_AVX2 = 1,
    /// Everything above plus what `-target-cpu skylake-avx512` adds: AVX-512 F, CD, BW, DQ and
    /// VL, with the operating system saving the 512-bit and mask registers.
    OPTIMIZERS_LEVEL_AVX512 = 2,
};

/// The highest level this processor and operating system can run (CPUID and XGETBV on x86-64;
/// always the baseline elsewhere).
int optimizers_supported_level(void);

#endif
