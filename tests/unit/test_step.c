/* test_step.c: a worker's choice of its next call (step.c), seeded: while a demand is
 * built no call that removes VMAs; with nothing live, a map; each call as often as its
 * weight says; the same seed, the same sequence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmastress/config/config.h"
#include "vmastress/calls/rng.h"
#include "vmastress/work/step.h"

#define DRAWS 40000

static void weights(struct vs_config *c, unsigned map, unsigned protect, unsigned unmap,
		    unsigned punch)
{
	assert_int_equal(vs_config_defaults(c, "churn"), 0);
	c->ops_mmap = map, c->ops_mprotect = protect, c->ops_munmap = unmap, c->ops_punch = punch;
}

static void count(const struct vs_config *c, size_t nlive, bool building, unsigned *n)
{
	struct vs_rng rng;

	vs_rng_seed(&rng, 42, 0);
	for (int i = 0; i < VS_STEP_IDLE; i++)
		n[i] = 0;
	for (int i = 0; i < DRAWS; i++)
		n[vs_step_choose(&rng, c, nlive, building)]++;
}

static void as_often_as_weighed(void **state)
{
	struct vs_config c;
	unsigned n[VS_STEP_IDLE];

	(void)state;
	weights(&c, 40, 30, 20, 10);
	count(&c, 100, false, n);
	/* within 5 % of each share: 4 sigma and more at these draws */
	assert_in_range(n[VS_STEP_MAP], DRAWS * 40 / 100 * 95 / 100, DRAWS * 40 / 100 * 105 / 100);
	assert_in_range(n[VS_STEP_PROTECT], DRAWS * 30 / 100 * 95 / 100,
			DRAWS * 30 / 100 * 105 / 100);
	assert_in_range(n[VS_STEP_UNMAP], DRAWS * 20 / 100 * 95 / 100, DRAWS * 20 / 100 * 105 / 100);
	assert_in_range(n[VS_STEP_PUNCH], DRAWS * 10 / 100 * 95 / 100, DRAWS * 10 / 100 * 105 / 100);
}

static void building_never_unmaps(void **state)
{
	struct vs_config c;
	unsigned n[VS_STEP_IDLE];

	(void)state;
	weights(&c, 1, 1, 100, 1);
	count(&c, 100, true, n);
	assert_int_equal(n[VS_STEP_UNMAP], 0);
	assert_true(n[VS_STEP_MAP] > 0 && n[VS_STEP_PROTECT] > 0 && n[VS_STEP_PUNCH] > 0);
}

static void nothing_live_maps(void **state)
{
	struct vs_config c;
	unsigned n[VS_STEP_IDLE];

	(void)state;
	weights(&c, 0, 10, 10, 10);
	count(&c, 0, false, n);
	assert_int_equal(n[VS_STEP_MAP], DRAWS);
	weights(&c, 0, 0, 0, 0); /* no weight at all: a map */
	count(&c, 10, false, n);
	assert_int_equal(n[VS_STEP_MAP], DRAWS);
}

static void same_seed_same_sequence(void **state)
{
	struct vs_config c;
	struct vs_rng a, b;

	(void)state;
	weights(&c, 25, 25, 25, 25);
	vs_rng_seed(&a, 7, 3);
	vs_rng_seed(&b, 7, 3);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(vs_step_choose(&a, &c, 50, false), vs_step_choose(&b, &c, 50, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(as_often_as_weighed),
	    cmocka_unit_test(building_never_unmaps),
	    cmocka_unit_test(nothing_live_maps),
	    cmocka_unit_test(same_seed_same_sequence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
