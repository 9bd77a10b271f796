/* test_rng.c: same seed -> same stream; streams differ; ranges are bounded and cover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmastress/calls/rng.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/work/step.h"

static void same_seed_same_stream(void **state)
{
	struct vs_rng a, b;

	(void)state;
	vs_rng_seed(&a, 42, 0);
	vs_rng_seed(&b, 42, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(vs_rng_next(&a), vs_rng_next(&b));
}

static void known_first_values(void **state)
{
	/* splitmix64(0) reference values from the algorithm's published code. */
	uint64_t st = 0;

	(void)state;
	assert_int_equal(vs_splitmix64(&st), 0xe220a8397b1dcdafULL);
	assert_int_equal(vs_splitmix64(&st), 0x6e789e6aa1b965f4ULL);
	assert_int_equal(vs_splitmix64(&st), 0x06c45d188009454fULL);
}

static void streams_and_seeds_differ(void **state)
{
	struct vs_rng a, b, c;
	int same_ab = 0, same_ac = 0;

	(void)state;
	vs_rng_seed(&a, 42, 0);
	vs_rng_seed(&b, 42, 1);
	vs_rng_seed(&c, 43, 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = vs_rng_next(&a);
		same_ab += x == vs_rng_next(&b);
		same_ac += x == vs_rng_next(&c);
	}
	assert_int_equal(same_ab, 0);
	assert_int_equal(same_ac, 0);
}

static void range_bounds_and_distribution(void **state)
{
	struct vs_rng r;
	unsigned hist[64] = {0};
	const int n = 640000;

	(void)state;
	vs_rng_seed(&r, 7, 0);
	for (int i = 0; i < n; i++) {
		uint64_t v = vs_rng_range(&r, 1, 64);
		assert_true(v >= 1 && v <= 64);
		hist[v - 1]++;
	}
	/* Uniform: every size appears, each within 5 % of n/64 (sd is ~1 %). */
	for (int i = 0; i < 64; i++) {
		assert_true(hist[i] > (unsigned)n / 64 * 95 / 100);
		assert_true(hist[i] < (unsigned)n / 64 * 105 / 100);
	}
	assert_int_equal(vs_rng_range(&r, 5, 5), 5);
	assert_int_equal(vs_rng_range(&r, 9, 3), 9);
	for (int i = 0; i < 1000; i++)
		assert_true(vs_rng_range(&r, UINT64_MAX - 1, UINT64_MAX) >= UINT64_MAX - 1);
}

static void choose_follows_weights(void **state)
{
	struct vs_config p = {.ops_mmap = 1, .ops_mprotect = 0, .ops_munmap = 3, .ops_punch = 0};
	struct vs_rng r;
	unsigned n[5] = {0};

	(void)state;
	vs_rng_seed(&r, 1, 0);
	assert_int_equal(vs_step_choose(&r, &p, 0, false), VS_STEP_MAP); /* nothing to unmap */
	for (int i = 0; i < 40000; i++)
		n[vs_step_choose(&r, &p, 10, false)]++;
	assert_int_equal(n[VS_STEP_PROTECT], 0);
	assert_int_equal(n[VS_STEP_PUNCH], 0);
	assert_true(n[VS_STEP_UNMAP] > 2.8 * n[VS_STEP_MAP] &&
		    n[VS_STEP_UNMAP] < 3.2 * n[VS_STEP_MAP]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_seed_same_stream),
	    cmocka_unit_test(known_first_values),
	    cmocka_unit_test(streams_and_seeds_differ),
	    cmocka_unit_test(range_bounds_and_distribution),
	    cmocka_unit_test(choose_follows_weights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
