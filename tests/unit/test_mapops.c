/* test_mapops.c: real mmap/mprotect/munmap; the model's prediction vs the kernel's count. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmastress/config/config.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/work/step.h"
#include "vmastress/work/worker.h"

static struct vs_shared sh;
static struct vs_config cfg;
static struct vs_worker *w;

static long proc_count(void)
{
	long n;
	assert_int_equal(vs_vma_count_self(&n), 0);
	return n;
}

/* VMAs the kernel has inside the worker's arena. */
static long kernel_arena(void)
{
	long n;
	uintptr_t lo = w->arena.base, hi = lo + w->arena.pages * w->arena.page;
	assert_int_equal(vs_vma_probe_count(&w->probe, lo, hi, &n), 0);
	return n;
}

static int make_worker(unsigned sep, unsigned punch, unsigned min_pages, unsigned max_pages)
{
	long limit;

	assert_int_equal(vs_config_defaults(&cfg, "guarded"), 0);
	cfg.mapping_min_pages = min_pages;
	cfg.mapping_max_pages = max_pages;
	cfg.mapping_separator_pages = sep;
	cfg.mapping_touch_pages = 2;
	cfg.ops_mmap = 40;
	cfg.ops_mprotect = 30;
	cfg.ops_munmap = 20;
	cfg.ops_punch = punch;
	memset(&sh, 0, sizeof(sh));
	sh.cfg = &cfg;
	sh.page = (size_t)sysconf(_SC_PAGESIZE);
	sh.workers = 1;
	assert_int_equal(vs_vma_read_limit(NULL, &limit), 0);
	atomic_store(&sh.limit, limit);
	atomic_store(&sh.cap, LONG_MAX);
	w = aligned_alloc(64, sizeof(*w));
	assert_non_null(w);
	assert_int_equal(vs_worker_init(w, 0, &sh, 12345, 2048, 0), 0);
	atomic_store(&sh.claimed, proc_count());
	atomic_store(&sh.map_count, atomic_load(&sh.claimed));
	return 0;
}

static int setup_sep(void **state)
{
	(void)state;
	return make_worker(1, 10, 1, 16);
}

static int setup_merge(void **state)
{
	(void)state;
	return make_worker(0, 30, 4, 16);
}

static int teardown(void **state)
{
	(void)state;
	vs_worker_teardown(w);
	vs_worker_destroy(w);
	free(w);
	return 0;
}

/* After every call, the shared prediction equals /proc/self/maps. */
static void check(const char *what)
{
	long proc = proc_count(), predicted = atomic_load(&sh.map_count);
	assert_int_equal(predicted, atomic_load(&sh.claimed)); /* nothing in flight */

#ifndef VS_SANITIZER /* sanitizer runtimes map VMAs of their own: the arena check stays */
	if (proc != predicted)
		fail_msg("%s: /proc/self/maps %ld, predicted %ld", what, proc, predicted);
#else
	(void)proc;
#endif
	if (kernel_arena() != w->arena.vmas)
		fail_msg("%s: arena kernel %ld, model %ld", what, kernel_arena(), w->arena.vmas);
}

static void each_operation_separator_mode(void **state)
{
	long before;

	(void)state;
	check("start");
	before = kernel_arena();
	assert_int_equal(vs_mapops_create(w, 8), 0);
	assert_int_equal(kernel_arena() - before, 2); /* data + separator */
	check("create");
	assert_int_equal(vs_mapops_create(w, 8), 0);
	assert_int_equal(kernel_arena() - before, 4); /* never merged with the first */
	before = kernel_arena();
	assert_int_equal(vs_mapops_protect(w, 0, 2, 3, VS_PAGE_RO), 0);
	assert_int_equal(kernel_arena() - before, 2); /* RW | RO | RW */
	check("protect");
	assert_int_equal(vs_mapops_protect(w, 0, 2, 3, VS_PAGE_RW), 0);
	assert_int_equal(kernel_arena() - before, 0); /* merged back */
	check("protect back");
	assert_int_equal(vs_mapops_punch(w, 0, 3, 2), 0);
	assert_int_equal(kernel_arena() - before, 1); /* a hole */
	check("punch");
	assert_int_equal(vs_mapops_unmap(w, 0, true), 0);
	assert_int_equal(kernel_arena() - before, 1 - 3); /* two data pieces and the separator */
	check("unmap");
}

static void neighbours_merge_without_separators(void **state)
{
	long before = kernel_arena();

	(void)state;
	assert_int_equal(vs_mapops_create(w, 4), 0);
	assert_int_equal(vs_mapops_create(w, 4), 0);
	assert_int_equal(vs_mapops_create(w, 4), 0);
	assert_int_equal(kernel_arena() - before, 1); /* three mappings, one VMA */
	check("merged");
	/* Unmapping the middle one must split the merged VMA on both sides. */
	assert_int_equal(vs_mapops_unmap(w, 1, true), 0);
	assert_int_equal(kernel_arena() - before, 2);
	check("middle unmapped");
}

static void random_sequence_stays_exact(void **state)
{
	(void)state;
	for (int i = 1; i <= 20000; i++) {
		vs_step(w);
		if (i % 500 == 0)
			check("random step");
	}
	assert_true(w->table.nlive > 0);
	assert_true(vs_counter_get(&w->ctr.ops[VS_OP_MPROTECT]) > 0);
	assert_true(vs_counter_get(&w->ctr.punches) > 0);
	vs_worker_teardown(w);
	check("teardown");
	assert_int_equal(w->table.nlive, 0);
	assert_int_equal(vs_counter_get(&w->ctr.mapped_bytes), 0);
}

static void same_seed_same_operations(void **state)
{
	uint64_t first;

	(void)state;
	for (int i = 0; i < 3000; i++)
		vs_step(w);
	first = vs_counter_get(&w->ctr.sequence);
	teardown(NULL);
	setup_sep(NULL);
	for (int i = 0; i < 3000; i++)
		vs_step(w);
	assert_true(first != 0);
	assert_true(vs_counter_get(&w->ctr.sequence) == first);
}

/* The protection of each of region 0's data pages, as the kernel has it. */
static void kernel_prots(int *prot, size_t n)
{
	const struct vs_region *r = vs_region_live(&w->table, 0);
	struct vs_vma_info v;

	for (size_t k = 0; k < n; k++) {
		uintptr_t at = vs_arena_addr(&w->arena, r->first + r->separator_pages + k);
		assert_int_equal(vs_vma_probe_next(&w->probe, at, &v), 0);
		prot[k] = v.start <= at ? v.prot : -1;
	}
}

/* Every re-protection step changes some page's protection in the kernel: a
 * call that changes nothing would test nothing. */
static void protect_steps_always_flip(void **state)
{
	int before[8], after[8];

	(void)state;
	assert_int_equal(vs_mapops_create(w, 8), 0);
	cfg.ops_mmap = cfg.ops_munmap = cfg.ops_punch = 0;
	for (int i = 0; i < 200; i++) {
		kernel_prots(before, 8);
		assert_int_equal(vs_step(w), VS_STEP_PROTECT);
		kernel_prots(after, 8);
		if (memcmp(before, after, sizeof(before)) == 0)
			fail_msg("step %d: mprotect changed no page's protection", i);
	}
	check("flips");
}

/* Holes are one or two pages, strictly inside the data. */
static void punch_steps_make_short_holes(void **state)
{
	int prot[32];

	(void)state;
	assert_int_equal(vs_mapops_create(w, 32), 0);
	cfg.ops_mmap = cfg.ops_munmap = cfg.ops_mprotect = 0;
	for (int i = 0; i < 6; i++) {
		uint64_t mapped = vs_counter_get(&w->ctr.mapped_bytes);
		long vmas = kernel_arena();
		assert_int_equal(vs_step(w), VS_STEP_PUNCH);
		uint64_t gone = mapped - vs_counter_get(&w->ctr.mapped_bytes);
		assert_true(gone <= 2 * sh.page);
		assert_true(kernel_arena() <= vmas + 1);
	}
	kernel_prots(prot, 32);
	assert_int_not_equal(prot[0], -1);
	assert_int_not_equal(prot[31], -1);
	check("holes");
}

static unsigned merged_at_birth, births;

static void after_mmap(struct vs_worker *wk, uintptr_t addr, size_t len)
{
	struct vs_vma_info v;

	births++;
	if (vs_vma_probe_next(&wk->probe, addr, &v) < 0 || v.start != addr || v.end != addr + len)
		merged_at_birth++;
}

/* A fresh PROT_NONE region, before its data is opened, is exactly its own VMA:
 * it merged with no neighbour, not even for that instant. */
static void no_transient_merge(void **state)
{
	size_t page = sh.page;

	(void)state;
	vs_mapops_test_after_mmap = after_mmap;
	for (int i = 0; i < 20000; i++)
		vs_step(w);
	vs_mapops_test_after_mmap = NULL;
	assert_true(births > 1000);
	assert_int_equal(merged_at_birth, 0);
	check("after the run");

	/* The control: two PROT_NONE mappings with these flags placed side by
	 * side do merge, so the probe above would have seen a merge. */
	char *x = mmap(NULL, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(x != MAP_FAILED);
	assert_int_equal(munmap(x, 4 * page), 0);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK | MAP_FIXED_NOREPLACE;
	assert_ptr_equal(mmap(x, 2 * page, PROT_NONE, flags, -1, 0), x);
	assert_ptr_equal(mmap(x + 2 * page, page, PROT_NONE, flags, -1, 0), x + 2 * page);
	births = merged_at_birth = 0;
	after_mmap(w, (uintptr_t)x + 2 * page, page);
	assert_int_equal(merged_at_birth, 1);
	assert_int_equal(munmap(x, 3 * page), 0);
}

int main(void)
{
	struct vs_vma_probe p;

	vs_vma_probe_open(&p);
	if (!p.available)
		print_message("PROCMAP_QUERY unavailable: lookups scan /proc/self/maps\n");
	vs_vma_probe_close(&p);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(each_operation_separator_mode, setup_sep, teardown),
	    cmocka_unit_test_setup_teardown(neighbours_merge_without_separators, setup_merge,
					    teardown),
	    cmocka_unit_test_setup_teardown(random_sequence_stays_exact, setup_sep, teardown),
	    cmocka_unit_test_setup_teardown(random_sequence_stays_exact, setup_merge, teardown),
	    cmocka_unit_test_setup_teardown(same_seed_same_operations, setup_sep, teardown),
	    cmocka_unit_test_setup_teardown(no_transient_merge, setup_sep, teardown),
	    cmocka_unit_test_setup_teardown(protect_steps_always_flip, setup_sep, teardown),
	    cmocka_unit_test_setup_teardown(punch_steps_make_short_holes, setup_merge, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
