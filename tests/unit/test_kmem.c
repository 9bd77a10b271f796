/* test_kmem.c: the VMA caches' bytes from a slabinfo text; the live files are read. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmastress/model/kmem.h"

static void slabinfo_caches(void **state)
{
	static const char text[] =
	    "slabinfo - version: 2.1\n"
	    "# name <active_objs> <num_objs> <objsize> ...\n"
	    "vm_area_struct_x   1    1  999 21 1 : tunables 0 0 0 : slabdata 1 1 0\n"
	    "vm_area_struct  65688 66276  192 21 1 : tunables 0 0 0 : slabdata 3156 3156 0\n"
	    "anon_vma_chain    718   832   64 64 1 : tunables 0 0 0 : slabdata 13 13 0\n"
	    "anon_vma          403   507  104 39 1 : tunables 0 0 0 : slabdata 13 13 0\n"
	    "maple_node      13073 21200  256 16 1 : tunables 0 0 0 : slabdata 1325 1325 0\n";
	uint64_t bytes;

	(void)state;
	assert_int_equal(vs_kmem_parse_slabinfo(text, &bytes), 0);
	/* num_objs * objsize of the four caches, not the look-alike name */
	assert_true(bytes == 66276ULL * 192 + 832 * 64 + 507 * 104 + 21200ULL * 256);
	assert_int_equal(vs_kmem_parse_slabinfo("slabinfo - version: 2.1\n", &bytes), -ENOENT);
}

static void memory_stat(void **state)
{
	uint64_t bytes = 0;

	(void)state;
	assert_int_equal(vs_kmem_parse_memory_stat("anon 4096\nslab_reclaimable 8192\n"
						   "slab_unreclaimable 229376\nslab 237568\n",
						   &bytes),
			 0);
	assert_int_equal(bytes, 229376);
	assert_int_equal(vs_kmem_parse_memory_stat("anon 4096\n", &bytes), -ENOENT);
}

static void live_reading(void **state)
{
	struct vs_kmem k;

	(void)state;
	/* slabinfo as root, SUnreclaim otherwise: either way some bytes */
	assert_int_equal(vs_kmem_read(&k), 0);
	assert_true(k.bytes > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(slabinfo_caches),
	    cmocka_unit_test(memory_stat),
	    cmocka_unit_test(live_reading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
