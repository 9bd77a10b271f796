/* rng.h: seeded PRNG (splitmix64 seeding xoshiro256**), one stream per worker. */
#pragma once
#include <stdint.h>

struct vs_rng {
	uint64_t s[4];
};

void vs_rng_seed(struct vs_rng *r, uint64_t seed, unsigned stream);
uint64_t vs_rng_next(struct vs_rng *r);
/* Uniform in [lo, hi] inclusive, no modulo bias. */
uint64_t vs_rng_range(struct vs_rng *r, uint64_t lo, uint64_t hi);
uint64_t vs_splitmix64(uint64_t *state);
