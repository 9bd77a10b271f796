/* test_render_json.c: the stats JSON: every key, exact values, bounded buffer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/log/errnames.h"
#include "vmastress/output/render.h"
#include "vmastress/calls/counters.h"

static void fill(struct vs_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->version, sizeof(s->version), "%s", VS_VERSION);
	s->pid = 123;
	snprintf(s->host, sizeof(s->host), "db-7\"a"); /* escaped */
	snprintf(s->kernel_release, sizeof(s->kernel_release), "6.18.0");
	s->textfile_failures = 4;
	s->textfile_failing = true;
	snprintf(s->textfile_error, sizeof(s->textfile_error),
		 "cannot write /x.prom: EACCES (Permission denied)");
	s->uptime_seconds = 12.5;
	s->seed = 18446744073709551615ULL;
	snprintf(s->shape, sizeof(s->shape), "fragment");
	snprintf(s->profile, sizeof(s->profile), "fragment");
	s->workers = 2;
	s->max_map_count = 65530;
	s->map_count = 61002;
	s->map_count_proc = 61000;
	s->map_count_proc_age_seconds = 0.5;
	s->map_count_peak = 65530;
	s->vma_cap = -1;
	s->t.mappings = 30000;
	s->t.mapped_bytes = 123456789;
	s->t.ops[VS_OP_MMAP] = 10;
	s->t.ops[VS_OP_MPROTECT] = 20;
	s->t.ops[VS_OP_MUNMAP] = 30;
	s->t.failures[VS_OP_MUNMAP][vs_errno_slot(ENOMEM)] = 7;
	s->t.failures[VS_OP_MMAP][vs_errno_slot(EEXIST)] = 2;
	s->t.leaked_mappings = 3;
	s->t.leaked_bytes = 12288;
	s->t.reclaimed_mappings = 1;
	s->t.reclaimed_bytes = 4096;
	s->exact_probe = 1;
	s->first_enomem[VS_OP_MMAP] = -1;
	s->first_enomem[VS_OP_MPROTECT] = -1;
	s->first_enomem[VS_OP_MUNMAP] = 0.25;
}

static void every_key_with_its_value(void **state)
{
	char buf[8192];
	struct vs_snapshot s;
	static const char *const want[] = {
	    "{\"version\":\"" VS_VERSION "\",\"host\":\"db-7\\\"a\",\"kernel_release\":\"6.18.0\","
	    "\"pid\":123,\"uptime_seconds\":12.500,",
	    "\"outputs\":{\"textfile_failures\":4,\"textfile_failing\":true,\"textfile_error\":"
	    "\"cannot write /x.prom: EACCES (Permission denied)\"}",
	    "\"seed\":18446744073709551615,\"shape\":\"fragment\",\"profile\":\"fragment\","
	    "\"workers\":2,",
	    "\"max_map_count\":65530,\"map_count\":61002,\"map_count_proc\":61000,",
	    "\"map_count_proc_age_seconds\":0.500,",
	    "\"map_count_peak\":65530,",
	    "\"mappings\":30000,\"mapped_bytes\":123456789,",
	    "\"ops\":{\"mmap\":10,\"mprotect\":20,\"munmap\":30}",
	    "\"failures\":{\"mmap\":{\"ENOMEM\":0,\"EEXIST\":2},\"mprotect\":{\"ENOMEM\":0},"
	    "\"munmap\":{\"ENOMEM\":7}}",
	    "\"leaks\":{\"mappings\":3,\"bytes\":12288,\"reclaimed_mappings\":1,"
	    "\"reclaimed_bytes\":4096}",
	    "\"exact_probe\":true",
	    "\"first_enomem_seconds\":{\"mmap\":null,\"mprotect\":null,\"munmap\":0.250000}",
	};
	(void)state;
	fill(&s);
	int n = vs_render_json(&s, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(buf, want[i]))
			fail_msg("missing %s in %s", want[i], buf);
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(buf[n - 2], '}');
	/* Balanced braces, no stray commas. */
	int depth = 0;
	for (int i = 0; i < n; i++) {
		depth += buf[i] == '{';
		depth -= buf[i] == '}';
		assert_true(depth >= 0);
		if (buf[i] == ',')
			assert_true(buf[i + 1] == '"');
	}
	assert_int_equal(depth, 0);
}

static void small_buffer_is_refused(void **state)
{
	char buf[8192];
	struct vs_snapshot s;

	(void)state;
	fill(&s);
	int n = vs_render_json(&s, buf, sizeof(buf));
	assert_int_equal(vs_render_json(&s, buf, (size_t)n), -ENOBUFS);
	assert_int_equal(vs_render_json(&s, buf, (size_t)n + 1), n);
	assert_int_equal(vs_render_json(&s, buf, 0), -ENOBUFS);
}

/* Buckets of 250 ns doubling: a duration goes to the first bound that holds it. */
static void latency_buckets_and_quantiles(void **state)
{
	uint64_t b[VS_LAT_BUCKETS + 1] = {0};

	(void)state;
	assert_int_equal(vs_lat_bucket(1), 0);
	assert_int_equal(vs_lat_bucket(250), 0);
	assert_int_equal(vs_lat_bucket(251), 1);
	assert_int_equal(vs_lat_bucket(500), 1);
	assert_int_equal(vs_lat_bucket(501), 2);
	assert_int_equal(vs_lat_bucket(100000000), 19); /* 100 ms: 250 ns << 19 = 131 ms */
	assert_int_equal(vs_lat_bucket(200000000), VS_LAT_BUCKETS); /* +Inf */
	assert_true(vs_lat_quantile(b, 0, 0.5) < 0);
	b[2] = 98; /* 98 calls <= 1 us */
	b[10] = 2; /* 2 calls <= 256 us, the largest 200 us */
	assert_true(vs_lat_quantile(b, 200000, 0.50) == 1e-6);
	assert_true(vs_lat_quantile(b, 200000, 0.99) == 200e-6); /* not past the largest */
	b[VS_LAT_BUCKETS] = 50;
	assert_true(vs_lat_quantile(b, 300000000, 0.99) == 0.3);
}

/* Two workers' histograms sum bucket by bucket; the max is the larger; a call row
 * reaches the JSON under the shape's name for it. */
static void worker_histograms_merge(void **state)
{
	static struct vs_counters a, b;
	struct vs_counters *both[] = {&a, &b};
	static struct vs_snapshot s;
	static char buf[65536];
	unsigned call = VS_LAT_KIND_COUNT + VS_OP_MPROTECT;

	(void)state;
	fill(&s);
	vs_counter_add(&a.lat[VS_LAT_MUNMAP][VS_FILL_HIGH][3], 5);
	vs_counter_add(&b.lat[VS_LAT_MUNMAP][VS_FILL_HIGH][3], 7);
	vs_counter_add(&b.lat[VS_LAT_MUNMAP][VS_FILL_HIGH][VS_LAT_BUCKETS], 1);
	vs_counter_set(&a.lat_max_ns[VS_LAT_MUNMAP][VS_FILL_HIGH], 1900);
	vs_counter_set(&b.lat_max_ns[VS_LAT_MUNMAP][VS_FILL_HIGH], 400000000);
	vs_counter_add(&a.lat_sum_ns[VS_LAT_MUNMAP][VS_FILL_HIGH], 10);
	vs_counter_add(&b.lat_sum_ns[VS_LAT_MUNMAP][VS_FILL_HIGH], 32);
	vs_counter_add(&a.lat[call][VS_FILL_LOW][0], 2);
	vs_counter_add(&b.lat[call][VS_FILL_LOW][1], 2);
	vs_counter_set(&b.lat_max_ns[call][VS_FILL_LOW], 300);
	vs_counters_sum(&s.t, both, 2);
	assert_int_equal(s.t.lat[VS_LAT_MUNMAP][VS_FILL_HIGH][3], 12);
	assert_int_equal(s.t.lat[VS_LAT_MUNMAP][VS_FILL_HIGH][VS_LAT_BUCKETS], 1);
	assert_int_equal(s.t.lat_max_ns[VS_LAT_MUNMAP][VS_FILL_HIGH], 400000000);
	assert_int_equal(s.t.lat_sum_ns[VS_LAT_MUNMAP][VS_FILL_HIGH], 42);
	assert_int_equal(s.t.lat[VS_LAT_MUNMAP][VS_FILL_LOW][3], 0);
	s.call_names[VS_OP_MPROTECT] = "guard page mprotect";
	assert_true(vs_render_json(&s, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf,
			       "\"munmap\":{\"low\":{\"p50\":null,\"p99\":null,\"max\":null,"
			       "\"count\":0},\"mid\":{\"p50\":null,\"p99\":null,\"max\":null,"
			       "\"count\":0},\"high\":{\"p50\":0.000002000,\"p99\":0.400000000,"
			       "\"max\":0.400000000,\"count\":13}}"));
	assert_non_null(strstr(buf, "\"call_latency\":{\"guard page mprotect\":{\"low\":{"
				    "\"p50\":0.000000250,\"p99\":0.000000300,\"max\":0.000000300,"
				    "\"count\":4}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(latency_buckets_and_quantiles),
	    cmocka_unit_test(worker_histograms_merge),
	    cmocka_unit_test(every_key_with_its_value),
	    cmocka_unit_test(small_buffer_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
