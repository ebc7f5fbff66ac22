#include "OptimizersShims.h"

#if defined(__x86_64__)
#include <cpuid.h>

/// The XCR0 register: which register states the operating system saves on a context switch.
static uint64_t extended_control_register(void) {
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}

int optimizers_supported_level(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return OPTIMIZERS_LEVEL_BASELINE;
    const unsigned int fma = 1u << 12, movbe = 1u << 22, popcnt = 1u << 23, osxsave = 1u << 27,
                       avx = 1u << 28, f16c = 1u << 29;
    const unsigned int leaf1 = fma | movbe | popcnt | osxsave | avx | f16c;
    if ((ecx & leaf1) != leaf1) return OPTIMIZERS_LEVEL_BASELINE;
    const uint64_t xcr0 = extended_control_register();
    if ((xcr0 & 0x6) != 0x6) return OPTIMIZERS_LEVEL_BASELINE;  // SSE and AVX (YMM) state

    if (!__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 5))) {  // LZCNT
        return OPTIMIZERS_LEVEL_BASELINE;
    }
    if (__get_cpuid_max(0, 0) < 7) return OPTIMIZERS_LEVEL_BASELINE;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned int bmi1 = 1u << 3, avx2 = 1u << 5, bmi2 = 1u << 8;
    if ((ebx & (bmi1 | avx2 | bmi2)) != (bmi1 | avx2 | bmi2)) return OPTIMIZERS_LEVEL_BASELINE;

    const unsigned int f = 1u << 16, dq = 1u << 17, cd = 1u << 28, bw = 1u << 30, vl = 1u << 31;
    const unsigned int avx512 = f | dq | cd | bw | vl;
    if ((ebx & avx512) != avx512) return OPTIMIZERS_LEVEL_AVX2;
    if ((xcr0 & 0xe0) != 0xe0) return OPTIMIZERS_LEVEL_AVX2;  // opmask, ZMM0-15 upper halves, ZMM16-31
    return OPTIMIZERS_LEVEL_AVX512;
}
#else
int optimizers_supported_level(void) { return OPTIMIZERS_LEVEL_BASELINE; }
#endif

void *optimizers_thread_scratch(void) {
    static _Thread_local _Alignas(64) unsigned char scratch[OPTIMIZERS_SCRATCH_BYTES];
    return scratch;
}
