/* rng.c: seeded PRNG, splitmix64 seeding xoshiro256**, one stream per worker. */
#include "vmastress/calls/rng.h"

uint64_t vs_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void vs_rng_seed(struct vs_rng *r, uint64_t seed, unsigned stream)
{
	/* Streams differ by their splitmix64 starting point, so workers never share one. */
	uint64_t st = seed ^ ((uint64_t)stream * 0xd1b54a32d192ed03ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = vs_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t vs_rng_next(struct vs_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t vs_rng_range(struct vs_rng *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = hi - lo + 1;
	if (span == 0) /* full 64-bit range */
		return vs_rng_next(r);
	/* Lemire's rejection: unbiased without a division on the common path. */
	__uint128_t m = (__uint128_t)vs_rng_next(r) * span;
	uint64_t low = (uint64_t)m;
	if (low < span) {
		uint64_t threshold = -span % span;
		while (low < threshold) {
			m = (__uint128_t)vs_rng_next(r) * span;
			low = (uint64_t)m;
		}
	}
	return lo + (uint64_t)(m >> 64);
}
