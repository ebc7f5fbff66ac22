// The streaming loops of `Roofline`, written in C and compiled by gcc for this machine: a check
// on the Swift loops that the "of roofline" columns divide by. Medians of 11 passes over
// 16,777,216 floats per buffer, one thread, buffers on 64-byte lines.
//
//     gcc -O3 -march=native -o /tmp/streaming Benchmarks/C/streaming.c && /tmp/streaming
//
// Shapes as in Roofline.swift: r0w1 = one read-write stream (FlatTensor.scale), r1w1 = one read
// and one read-write (FlatTensor.add), r1w3 = one read and three read-writes (AdamW, S3).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { N = 16777216, PASSES = 11 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t) {
    qsort(t, PASSES, sizeof *t, ascending);
    return t[PASSES / 2];
}

int main(void) {
    float *g = aligned_alloc(64, N * 4), *x = aligned_alloc(64, N * 4);
    float *m = aligned_alloc(64, N * 4), *v = aligned_alloc(64, N * 4);
    for (size_t i = 0; i < N; i++) g[i] = 0.001f, x[i] = 0.5f, m[i] = 0.002f, v[i] = 0.003f;
    double r0w1[PASSES], r1w1[PASSES], r1w3[PASSES];
    for (int pass = 0; pass < PASSES; pass++) {
        double t = now();
        for (size_t i = 0; i < N; i++) x[i] = x[i] * 0.5f + x[i];
        r0w1[pass] = now() - t;
        for (size_t i = 0; i < N; i++) x[i] = 0.5f;  // keeps the values finite
        t = now();
        for (size_t i = 0; i < N; i++) x[i] = x[i] * 0.5f + g[i];
        r1w1[pass] = now() - t;
        t = now();
        for (size_t i = 0; i < N; i++) {
            float gi = g[i];
            x[i] = x[i] * 0.5f + gi, m[i] = m[i] * 0.5f + gi, v[i] = v[i] * 0.5f + gi;
        }
        r1w3[pass] = now() - t;
    }
    printf("G elements/s, one thread: r0w1 %.3f  r1w1 %.3f  r1w3 %.3f\n", N / median(r0w1) / 1e9,
           N / median(r1w1) / 1e9, N / median(r1w3) / 1e9);
    return x[N / 2] == 0 && m[1] == 0 && v[2] == 0;  // keeps the stores alive
}
