/* test_arena.c: the VMA model, one rule per operation, without touching memory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmastress/model/arena.h"

static struct vs_arena a;

static int setup(void **state)
{
	(void)state;
	return vs_arena_init(&a, 256, 4096, false);
}

static int teardown(void **state)
{
	(void)state;
	vs_arena_destroy(&a);
	return 0;
}

static void reservation_is_one_vma(void **state)
{
	(void)state;
	assert_int_equal(a.vmas, 1);
	assert_int_equal(vs_arena_count(&a, 0, a.pages), 1);
}

static void map_splits_reservation_and_merges_neighbours(void **state)
{
	(void)state;
	/* At the reservation's head: the reservation shrinks, one new VMA. */
	assert_int_equal(vs_arena_map(&a, 0, 4, VS_PAGE_RW), 1);
	/* Right above an RW neighbour: merges (fragment's premise). */
	assert_int_equal(vs_arena_map(&a, 4, 4, VS_PAGE_RW), 0);
	/* Inside the reservation, away from the head: splits it in two. */
	assert_int_equal(vs_arena_map(&a, 20, 4, VS_PAGE_RW), 2);
	/* Filling the gap between two RW VMAs merges all three: 8..20 is reserved
	 * in between, so first make it a hole. */
	assert_int_equal(vs_arena_unmap(&a, 8, 12), -1);
	assert_int_equal(vs_arena_map(&a, 8, 12, VS_PAGE_RW), -1);
	assert_int_equal(a.vmas, vs_arena_count(&a, 0, a.pages));
	assert_int_equal(a.vmas, 2); /* RW 0..24, reservation 24..256 */
}

static void separator_region_is_two_vmas(void **state)
{
	(void)state;
	/* [separator][data]: mapped PROT_NONE, then the data opened RW. */
	assert_int_equal(vs_arena_map(&a, 0, 5, VS_PAGE_SEP), 1);
	assert_int_equal(vs_arena_protect(&a, 1, 4, VS_PAGE_RW), 1);
	/* The next region right above: its separator sits on data, no merge. */
	assert_int_equal(vs_arena_map(&a, 5, 3, VS_PAGE_SEP), 1);
	assert_int_equal(vs_arena_protect(&a, 6, 2, VS_PAGE_RW), 1);
	assert_int_equal(a.vmas, 5);
	/* Unmapping a whole region removes exactly its two VMAs. */
	assert_int_equal(vs_arena_unmap(&a, 0, 5), -2);
	assert_int_equal(a.vmas, vs_arena_count(&a, 0, a.pages));
}

static void protect_splits_and_merges_back(void **state)
{
	(void)state;
	vs_arena_map(&a, 0, 10, VS_PAGE_RW);
	assert_int_equal(vs_arena_protect(&a, 3, 4, VS_PAGE_RO), 2);   /* middle: two splits */
	assert_int_equal(vs_arena_protect(&a, 0, 3, VS_PAGE_RO), -1);  /* head joins the RO */
	assert_int_equal(vs_arena_protect(&a, 0, 7, VS_PAGE_RO), 0);   /* already RO */
	assert_int_equal(vs_arena_protect(&a, 0, 10, VS_PAGE_RW), -1); /* one VMA again */
	assert_int_equal(a.vmas, 2);
}

static void punch_splits_once(void **state)
{
	(void)state;
	vs_arena_map(&a, 0, 10, VS_PAGE_RW);
	assert_int_equal(vs_arena_unmap(&a, 4, 2), 1);	 /* a hole: one VMA becomes two */
	assert_int_equal(vs_arena_unmap(&a, 6, 2), 0);	 /* widening it splits nothing */
	assert_int_equal(vs_arena_unmap(&a, 0, 1), 0);	 /* trimming the head */
	assert_int_equal(vs_arena_unmap(&a, 0, 10), -2); /* the rest, across the hole */
	assert_int_equal(vs_arena_mapped(&a, 0, 10), 0);
}

static void stale_boundary_survives_same_protection(void **state)
{
	(void)state;
	/* mprotect refused on its second split leaves two equal VMAs unmerged;
	 * the kernel skips VMAs that already have the flags, so they stay two. */
	vs_arena_map(&a, 0, 10, VS_PAGE_RW);
	a.pg[5] |= VS_PAGE_START;
	a.vmas++;
	assert_int_equal(vs_arena_protect(&a, 2, 6, VS_PAGE_RW), 0);
	assert_int_equal(vs_arena_count(&a, 0, 10), 2);
	/* Changing them merges piece by piece. */
	assert_int_equal(vs_arena_protect(&a, 0, 10, VS_PAGE_RO), -1);
	assert_int_equal(vs_arena_count(&a, 0, 10), 1);
}

static void placement(void **state)
{
	size_t f;
	bool replace;

	(void)state;
	assert_int_equal(vs_arena_place(&a, 10, VS_NOT_NEXT_TO_SEP, &f, &replace), 0);
	assert_int_equal(f, 0);
	assert_true(replace);
	vs_arena_map(&a, 0, 10, VS_PAGE_RW);
	a.cursor = 10;
	/* No room for more than the reservation minus the guard page. */
	assert_int_equal(vs_arena_place(&a, 246, VS_NEXT_TO_ANY, &f, &replace), -ENOSPC);
	assert_int_equal(vs_arena_place(&a, 245, VS_NEXT_TO_ANY, &f, &replace), 0);
	assert_int_equal(f, 10);
	vs_arena_map(&a, 10, 245, VS_PAGE_RW);
	a.cursor = 255;
	/* Wraps to a hole. */
	vs_arena_unmap(&a, 2, 3);
	assert_int_equal(vs_arena_place(&a, 3, VS_NEXT_TO_ANY, &f, &replace), 0);
	assert_int_equal(f, 2);
	assert_false(replace);
	/* A fresh PROT_NONE region would merge with a separator: never next to one. */
	vs_arena_protect(&a, 5, 1, VS_PAGE_SEP);
	a.cursor = 255;
	assert_int_equal(vs_arena_place(&a, 3, VS_NOT_NEXT_TO_SEP, &f, &replace), -ENOSPC);
	assert_int_equal(vs_arena_place(&a, 2, VS_NOT_NEXT_TO_SEP, &f, &replace), 0);
	assert_int_equal(f, 2);
}

/* Churn with a small population stays low in a big arena: placement starts
 * again from the bottom instead of sweeping the whole reservation. */
static void placement_follows_population(void **state)
{
	struct vs_arena big;
	size_t live[64], top = 0, f;
	bool replace;

	(void)state;
	assert_int_equal(vs_arena_init(&big, 1 << 20, 4096, false), 0);
	for (size_t i = 0; i < 64; i++)
		live[i] = SIZE_MAX;
	for (size_t step = 0; step < 100000; step++) {
		size_t k = step % 64;
		if (live[k] != SIZE_MAX) {
			vs_arena_unmap(&big, live[k], 8);
			vs_arena_own(&big, live[k], 8, false);
		}
		assert_int_equal(vs_arena_place(&big, 8, VS_NOT_NEXT_TO_SEP, &f, &replace), 0);
		vs_arena_map(&big, f, 8, VS_PAGE_SEP);
		vs_arena_own(&big, f, 8, true);
		big.cursor = f + 8;
		live[k] = f;
		top = f + 8 > top ? f + 8 : top;
	}
	assert_int_equal(big.owned, 64 * 8);
	assert_true(top <= 2 * (64 * 8 + 8) + VS_ARENA_SLACK + 8);
	vs_arena_destroy(&big);
}

/* Regions mapped into the reservation and unmapped leave it in pieces with holes
 * between: each piece a VMA with nothing to unmap. A start over reserves the holes
 * again: one VMA, untouched, as at start; a leaked region's span stays as it is. */
static void rereserve_mends_the_reservation(void **state)
{
	(void)state;
	for (size_t f = 10; f < 200; f += 20) {
		vs_arena_map(&a, f, 4, VS_PAGE_FILE_RW);
		vs_arena_unmap(&a, f, 4);
	}
	assert_int_equal(a.vmas, 11); /* the pieces of reservation around 10 holes */
	assert_int_equal(vs_arena_rereserve(&a), -10);
	assert_int_equal(a.vmas, 1);
	assert_int_equal(vs_arena_count(&a, 0, a.pages), 1);
	assert_int_equal(a.high, 0); /* as untouched as at start: unreserve may run */

	/* A leaked region stays mapped and owned; the reservation closes around it. */
	vs_arena_map(&a, 40, 4, VS_PAGE_RW);
	vs_arena_own(&a, 40, 4, true);
	vs_arena_map(&a, 80, 4, VS_PAGE_RW);
	vs_arena_unmap(&a, 80, 4);
	assert_int_equal(a.vmas, 4);
	assert_int_equal(vs_arena_rereserve(&a), -1);
	assert_int_equal(a.vmas, 3); /* reservation, the leak, reservation */
	assert_int_equal(vs_arena_count(&a, 0, a.pages), 3);
	assert_int_equal(vs_arena_state(&a, 41), VS_PAGE_RW);
	assert_int_equal(vs_arena_mapped(&a, 0, a.pages), a.pages);
	assert_true(a.high >= 44);
}

static void save_restore(void **state)
{
	uint8_t buf[64];
	long v;

	(void)state;
	vs_arena_map(&a, 0, 10, VS_PAGE_RW);
	vs_arena_save(&a, 2, 5, buf, &v);
	vs_arena_unmap(&a, 2, 5);
	vs_arena_restore(&a, 2, 5, buf, v);
	assert_int_equal(a.vmas, 2);
	assert_int_equal(vs_arena_count(&a, 0, a.pages), 2);
	assert_int_equal(vs_arena_mapped(&a, 0, 10), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(reservation_is_one_vma, setup, teardown),
	    cmocka_unit_test_setup_teardown(map_splits_reservation_and_merges_neighbours, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(separator_region_is_two_vmas, setup, teardown),
	    cmocka_unit_test_setup_teardown(protect_splits_and_merges_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(punch_splits_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(stale_boundary_survives_same_protection, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(placement, setup, teardown),
	    cmocka_unit_test_setup_teardown(placement_follows_population, setup, teardown),
	    cmocka_unit_test_setup_teardown(rereserve_mends_the_reservation, setup, teardown),
	    cmocka_unit_test_setup_teardown(save_restore, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
