/* test_timeline.c: the report's timeline stays within its bound whatever the run's
 * length, and merging neighbours loses no failure; its JSON is well formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/output/timeline.h"

static struct vs_timeline tl;

static void snapshot_at(struct vs_snapshot *s, double t, uint64_t munmap_enomem, long vmas)
{
	memset(s, 0, sizeof(*s));
	s->uptime_seconds = t;
	s->map_count = vmas;
	s->t.failures[VS_OP_MUNMAP][0] = munmap_enomem; /* counters: the total so far */
	s->t.leaked_bytes = munmap_enomem * 4096;
	/* every call of the interval in the 1 us bucket (250 << 2 ns) */
	s->t.lat[VS_LAT_MMAP][VS_FILL_LOW][2] = munmap_enomem * 3;
	s->t.lat_max_ns[VS_LAT_MMAP][VS_FILL_LOW] = 1000;
}

static void bounded_and_exact(void **state)
{
	static struct vs_snapshot s;
	uint64_t next = 0;

	(void)state;
	vs_timeline_init(&tl);
	/* A day, sampled as the loop does (at the interval returned); a failure a
	 * sample. */
	double t = 0;
	unsigned i = 0;
	for (; t < 86400; i++) {
		snapshot_at(&s, t, i, 100 + i);
		next = vs_timeline_add(&tl, &s, i < 100 ? VS_PHASE_BUILD : VS_PHASE_CHURN);
		assert_true(tl.n <= VS_TIMELINE_MAX);
		t += (double)next / 1e6;
	}
	/* 60 s at 0.1 s fill it; each halving doubles what it covers: a day in 11 */
	assert_int_equal(next, VS_TIMELINE_FIRST_USEC << 11);
	assert_true(tl.n >= VS_TIMELINE_MAX / 2);
	uint64_t sum = 0;
	for (size_t k = 0; k < tl.n; k++) {
		sum += tl.s[k].failures[VS_OP_MUNMAP][0];
		if (k)
			assert_true(tl.s[k].t > tl.s[k - 1].t);
	}
	assert_int_equal(sum, i - 1); /* merged, none lost */
	/* the last sample is where the run ended */
	assert_true(tl.s[tl.n - 1].vmas == 100 + (long)i - 1);
	assert_int_equal(tl.s[tl.n - 1].phase, VS_PHASE_CHURN);
	/* the calls of each interval: p50 in the 1 us bucket; none timed at t 0 */
	assert_true(tl.s[tl.n - 1].p50_us[VS_LAT_MMAP] > 0.9f &&
		    tl.s[tl.n - 1].p50_us[VS_LAT_MMAP] < 1.1f);
	assert_true(tl.s[tl.n - 1].p99_us[VS_LAT_MUNMAP] < 0);
}

static void json(void **state)
{
	static char buf[1 << 18];
	static struct vs_snapshot s;
	struct vs_textbuf o = {.buf = buf, .len = sizeof(buf)};

	(void)state;
	vs_timeline_init(&tl);
	snapshot_at(&s, 0, 0, 90);
	vs_timeline_add(&tl, &s, VS_PHASE_BUILD);
	snapshot_at(&s, 0.1, 7, 65530);
	vs_timeline_add(&tl, &s, VS_PHASE_HOLD);
	vs_render_timeline(&o, &tl);
	assert_true(vs_textbuf_result(&o) > 0);
	assert_non_null(strstr(buf, ",\"timeline\":{\"max_samples\":600,\"interval_seconds\":0.100"));
	/* map_count, and vmas, its old name, beside it for this release */
	assert_non_null(strstr(buf, "{\"t\":0.100,\"map_count\":65530,\"vmas\":65530,"
				    "\"leaked_bytes\":28672,"
				    "\"phase\":\"hold\",\"failures\":{\"munmap\":{\"ENOMEM\":7}}"));
	assert_non_null(strstr(buf, "\"p99_us\":{\"mmap\":1.000}}]}"));
	vs_render_timeline(&o, NULL); /* nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(bounded_and_exact),
					   cmocka_unit_test(json)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
