/* test_watch_limit.c: the watch's one owner of vm.max_map_count (watch/limit/limit.c). A scan
 * that read the limit just before a raise must not hand the catch the old value after
 * the raise published the new one: with two unsynchronized writers of the catch's copy
 * (the scanner and the raise, as before the owner) this test ends with the catch at
 * the old limit. The sysctl is a file here; the catch's copy is what publish saw last. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmastress/model/vma.h"
#include "vmastress/watch/limit/limit.h"

#define OLD_LIMIT 65530L
#define RAISED_LIMIT 131072L
/* Long enough for the raise to run its whole course, were it not held back. */
#define RACE_WINDOW_NS 100000000L

static char path[64];
static struct vs_watch_limit owner;
static long published[8];
static unsigned npublished;
static pthread_t raiser;

static void publish(void *to, long value)
{
	(void)to;
	if (npublished < 8)
		published[npublished++] = value;
}

static void *raise_now(void *arg)
{
	(void)arg;
	assert_int_equal(vs_watch_limit_write(&owner, RAISED_LIMIT), 0);
	return NULL;
}

/* The scan has read the old value and not yet handed it on: the raise comes now. */
static void raise_in_between(void *arg)
{
	struct timespec window = {0, RACE_WINDOW_NS};

	(void)arg;
	assert_int_equal(pthread_create(&raiser, NULL, raise_now, NULL), 0);
	nanosleep(&window, NULL);
	owner.between = NULL; /* once */
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "%s", "/tmp/vmastress-limit-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vs_vma_write_limit(path, OLD_LIMIT), 0);
	vs_watch_limit_init(&owner, path, publish, NULL);
	npublished = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vs_watch_limit_destroy(&owner);
	unlink(path);
	return 0;
}

static void test_scan_across_raise_keeps_the_raise(void **state)
{
	long seen = 0, now = 0;

	(void)state;
	owner.between = raise_in_between;
	assert_int_equal(vs_watch_limit_read(&owner, &seen), 0);
	assert_int_equal(pthread_join(raiser, NULL), 0);
	assert_int_equal(seen, OLD_LIMIT); /* the scan works with what it read */
	assert_int_equal(npublished, 2);
	assert_int_equal(published[0], OLD_LIMIT);
	assert_int_equal(published[npublished - 1], RAISED_LIMIT); /* the catch: the raise's */
	assert_int_equal(vs_watch_limit_value(&owner), RAISED_LIMIT);
	assert_int_equal(vs_vma_read_limit(path, &now), 0);
	assert_int_equal(now, RAISED_LIMIT);
}

static void test_read_publishes_and_keeps(void **state)
{
	long seen = 0;

	(void)state;
	assert_int_equal(vs_watch_limit_value(&owner), 0); /* never read */
	assert_int_equal(vs_watch_limit_read(&owner, &seen), 0);
	assert_int_equal(seen, OLD_LIMIT);
	assert_int_equal(npublished, 1);
	assert_int_equal(published[0], OLD_LIMIT);
	/* A refused read keeps the last value and publishes nothing. */
	owner.path = "/nonexistent/vmastress/max_map_count";
	assert_true(vs_watch_limit_read(&owner, &seen) < 0);
	assert_int_equal(seen, OLD_LIMIT);
	assert_int_equal(npublished, 1);
	/* A refused write changes nothing either. */
	assert_true(vs_watch_limit_write(&owner, RAISED_LIMIT) < 0);
	assert_int_equal(vs_watch_limit_value(&owner), OLD_LIMIT);
	assert_int_equal(npublished, 1);
	owner.path = path;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_scan_across_raise_keeps_the_raise, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_publishes_and_keeps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
