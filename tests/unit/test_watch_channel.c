/* test_watch_channel.c: the watch's event channel (watch/catch/channel.h): a mark is
 * handed to exactly the subscribers whose level it reached; a paused subscriber gets
 * the scans' marks and not the kernel's; the mark is armed at the lowest level wanted
 * and not paused; a subscriber that acts on a mark cannot change whether another is
 * handed it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/watch/catch/channel.h"
#include "vmastress/watch/watch.h"

struct seen {
	unsigned n;
	long last;
	struct vs_watch_channel *ch;
	int self, other; /* on a mark: want another level for other (-1: none) */
};

static void on_mark(const struct vs_watch_event *e, void *userdata)
{
	struct seen *s = userdata;

	s->n++;
	s->last = e->map_count;
	if (s->other >= 0)
		vs_watch_channel_want(s->ch, s->other, 1000000);
}

static void test_levels(void **state)
{
	struct vs_watch_channel ch;
	struct seen a = {.ch = &ch, .other = -1}, b = {.ch = &ch, .other = -1};

	(void)state;
	vs_watch_channel_init(&ch, NULL, NULL);
	int ia = vs_watch_channel_subscribe(&ch, on_mark, &a);
	int ib = vs_watch_channel_subscribe(&ch, on_mark, &b);
	assert_true(ia >= 0 && ib >= 0 && ia != ib);
	assert_int_equal(vs_watch_channel_level(&ch), 0);
	assert_false(vs_watch_channel_holds(&ch));
	vs_watch_channel_want(&ch, ia, 5000);
	vs_watch_channel_want(&ch, ib, 3000);
	assert_int_equal(vs_watch_channel_level(&ch), 3000);
	assert_true(vs_watch_channel_holds(&ch));

	struct vs_watch_event e = {.map_count = 4000, .comm = "x", .unit = ""};
	assert_int_equal(vs_watch_channel_publish(&ch, &e), 1); /* b only */
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);
	e.map_count = 6000;
	assert_int_equal(vs_watch_channel_publish(&ch, &e), 2);
	assert_int_equal(a.last, 6000);

	/* Paused: the kernel's marks are not its own, the scans' are; the mark is
	 * armed at the lowest level not paused; it still holds the hook. */
	vs_watch_channel_pause(&ch, ib);
	assert_int_equal(vs_watch_channel_level(&ch), 5000);
	assert_true(vs_watch_channel_holds(&ch));
	assert_int_equal(vs_watch_channel_publish(&ch, &e), 1);
	assert_int_equal(b.n, 2);
	e.scan = true;
	assert_int_equal(vs_watch_channel_publish(&ch, &e), 2);
	assert_int_equal(b.n, 3);
	vs_watch_channel_want(&ch, ib, 0); /* none: not held by it any more */
	vs_watch_channel_want(&ch, ia, 0);
	assert_false(vs_watch_channel_holds(&ch));
	assert_int_equal(vs_watch_channel_publish(&ch, &e), 0);
}

static void test_acting_subscriber(void **state)
{
	struct vs_watch_channel ch;
	struct seen a = {.ch = &ch}, b = {.ch = &ch, .other = -1};

	(void)state;
	vs_watch_channel_init(&ch, NULL, NULL);
	int ia = vs_watch_channel_subscribe(&ch, on_mark, &a);
	int ib = vs_watch_channel_subscribe(&ch, on_mark, &b);
	a.other = ib; /* a, handed a mark, raises b's level past it */
	vs_watch_channel_want(&ch, ia, 100);
	vs_watch_channel_want(&ch, ib, 200);
	struct vs_watch_event e = {.map_count = 300, .comm = "x", .unit = ""};
	assert_int_equal(vs_watch_channel_publish(&ch, &e), 2);
	assert_int_equal(b.n, 1);
	assert_int_equal(vs_watch_channel_level(&ch), 100);
}

static void test_scanned(void **state)
{
	static struct vs_watch w;
	struct vs_watch_channel ch;
	struct seen a = {.ch = &ch, .other = -1};

	(void)state;
	vs_watch_channel_init(&ch, NULL, NULL);
	int ia = vs_watch_channel_subscribe(&ch, on_mark, &a);
	w.ntop = 1;
	w.top[0].pid = 42;
	w.top[0].vmas = 900;
	strcpy(w.top[0].comm, "climber");
	vs_watch_channel_scanned(&ch, &w); /* wants nothing: nothing handed */
	assert_int_equal(a.n, 0);
	vs_watch_channel_want(&ch, ia, 1000);
	vs_watch_channel_scanned(&ch, &w); /* below its level */
	assert_int_equal(a.n, 0);
	w.top[0].vmas = 1000;
	vs_watch_channel_pause(&ch, ia); /* paused: a scan's mark is still its */
	vs_watch_channel_scanned(&ch, &w);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.last, 1000);
	/* No room past VS_WATCH_SUBSCRIBERS_MAX. */
	for (unsigned i = 1; i < VS_WATCH_SUBSCRIBERS_MAX; i++)
		assert_true(vs_watch_channel_subscribe(&ch, on_mark, &a) >= 0);
	assert_true(vs_watch_channel_subscribe(&ch, on_mark, &a) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_acting_subscriber),
	    cmocka_unit_test(test_scanned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
