/* test_peaks.c: the watch's peaks file (peaks.c): what it writes it reads back, and
 * anything else (another format, a truncated file, a NUL, a shape it does not know,
 * text after the end) is kept aside as PATH.bad-EPOCH and not trusted; the 80 % and
 * 95 % scans are counted once a scan. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmastress/model/vma.h"
#include "vmastress/shapes/shape.h"
#include "vmastress/watch/peaks/peaks.h"

static char dir[] = "/tmp/vmastress-peaks-XXXXXX", path[128];
static struct vs_peaks p, q;

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!path[0]) {
		assert_non_null(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/peaks.json", dir);
	}
	unlink(path);
	return 0;
}

static void written_is_read_back(void **state)
{
	char msg[256];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.since = 1000;
	vs_peaks_note(&p, "a.service", "java", 42, 60000, 65530, 1001, 1002, 1);
	struct vs_peak *e = vs_peaks_note(&p, "", "odd \"name\"\\", 7, 10, 65530, 1003, 1004, 1);
	snprintf(e->shape, sizeof(e->shape), "threads");
	vs_peaks_hit(&p, "a.service", "java", 42, 65530, 1005);
	assert_int_equal(vs_peaks_save(&p, path), 0);
	assert_int_equal(vs_peaks_load(&q, path, 2000, msg, sizeof(msg)), 0);
	assert_int_equal(q.n, 2);
	assert_true(q.since == 1000);
	assert_string_equal(q.e[0].unit, "a.service");
	assert_int_equal(q.e[0].vmas, 65530);
	assert_int_equal(q.e[0].hits, 1);
	assert_int_equal(q.e[0].scans80, 1);
	assert_int_equal(q.e[0].scans95, 0);
	assert_string_equal(q.e[1].comm, "odd \"name\"\\");
	assert_string_equal(q.e[1].shape, "threads");
}

/* The file names the count map_count, with vmas beside it for this release; a
 * file of the last release (vmas alone) is still read. */
static void map_count_and_the_last_release(void **state)
{
	char msg[256], text[1024];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.since = 1000;
	vs_peaks_note(&p, "a.service", "java", 42, 60000, 65530, 1001, 1002, 1);
	assert_int_equal(vs_peaks_save(&p, path), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	char want[64];
	snprintf(want, sizeof(want), "\"map_count\":%ld,\"vmas\":%ld,", p.e[0].vmas, p.e[0].vmas);
	assert_true(p.e[0].vmas > 0);
	assert_non_null(strstr(text, want));
	write_file("{\"version\":1,\"since\":1,\"units\":[\n{\"unit\":\"b.service\",\"comm\":"
		   "\"es\",\"shape\":\"threads\",\"vmas\":70000,\"pid\":9,\"at\":1,\"last_seen\":2,"
		   "\"scans\":3,\"scans80\":1,\"scans95\":0,\"hits\":0}\n]}\n");
	assert_int_equal(vs_peaks_load(&q, path, 2000, msg, sizeof(msg)), 0);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.e[0].unit, "b.service");
	assert_int_equal(q.e[0].vmas, 70000);
}

/* Each way a file is not ours: kept aside (returns 1, says why), the peaks empty. */
static void not_ours_is_kept_aside(void **state)
{
	static const char *const bad[] = {
	    "{\"version\":2,\"since\":1,\"units\":[\n]}\n", /* another format */
	    "{\"version\":1,\"since\":1,\"units\":[\n{\"unit\":\"a\",\"comm\":\"b\"", /* cut */
	    "{\"version\":1,\"since\":1,\"units\":[\n{\"unit\":\"a\",\"comm\":\"b\",\"shape\":"
	    "\"rocket\",\"vmas\":1,\"pid\":1,\"at\":1,\"last_seen\":1,\"scans\":1,\"scans80\":0,"
	    "\"scans95\":0,\"hits\":0}\n]}\n",			  /* a shape it does not know */
	    "{\"version\":1,\"since\":1,\"units\":[\n]}\nmore\n", /* text after the end */
	    "{\"version\":1,\"since\":1,\"units\":[\n{\"unit\":\"a\",\"comm\":\"b\",\"shape\":"
	    "\"files\",\"vmas\":-5,\"pid\":1,\"at\":1,\"last_seen\":1,\"scans\":1,\"scans80\":0,"
	    "\"scans95\":0,\"hits\":0}\n]}\n", /* a negative count */
	    "{\"version\":1,\"since\":1,\"units\":[\n{\"unit\":\"a\",\"comm\":\"b\",\"shape\":"
	    "\"files\",\"map_count\":7,\"vmas\":5,\"pid\":1,\"at\":1,\"last_seen\":1,"
	    "\"scans\":1,\"scans80\":0,\"scans95\":0,\"hits\":0}\n]}\n", /* two counts */
	};
	char msg[512], aside[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unlink(path);
		write_file(bad[i]);
		assert_int_equal(vs_peaks_load(&q, path, 3000 + (double)i, msg, sizeof(msg)), 1);
		assert_int_equal(q.n, 0);
		assert_non_null(strstr(msg, "kept aside"));
		snprintf(aside, sizeof(aside), "%s.bad-%zu", path, 3000 + i);
		assert_int_equal(access(aside, F_OK), 0);
		assert_int_equal(access(path, F_OK), -1);
	}
}

static void missing_is_empty(void **state)
{
	char msg[64];

	(void)state;
	assert_int_equal(vs_peaks_load(&q, path, 5, msg, sizeof(msg)), 0);
	assert_int_equal(q.n, 0);
	assert_true(q.since == 5);
}

/* At 80 % and 95 % of the limit: counted once a scan, however often noted in it. */
static void thresholds_once_a_scan(void **state)
{
	(void)state;
	memset(&p, 0, sizeof(p));
	for (uint64_t scan = 1; scan <= 3; scan++)
		for (int i = 0; i < 4; i++)
			vs_peaks_note(&p, "u", "c", 1, scan == 3 ? 64000 : 53000, 65530, 1, 1,
				      scan);
	assert_int_equal(p.e[0].scans, 3);
	assert_int_equal(p.e[0].scans80, 3);
	assert_int_equal(p.e[0].scans95, 1);
	assert_int_equal(p.e[0].vmas, 64000);
}

/* The guess of a process's shape comes from the registry (each shape's .look): a
 * share of guard pages is threads, of file mappings files, else the fallback; a
 * peaks file may name any registered shape, and no other. */
static void shape_guess_from_the_registry(void **state)
{
	char msg[256];

	(void)state;
	assert_string_equal(vs_shape_guess(100, 30, 0)->name, "threads");
	assert_string_equal(vs_shape_guess(100, 29, 50)->name, "files");
	assert_string_equal(vs_shape_guess(100, 29, 49)->name, "allocator");
	assert_string_equal(vs_shape_guess(0, 0, 0)->name, "allocator");
	assert_non_null(vs_shape_find("threads")->advice);
	assert_null(vs_shape_find("files")->advice);
	unsigned otherwise = 0;
	for (unsigned i = 0; vs_shapes[i]; i++)
		otherwise += vs_shapes[i]->look.otherwise;
	assert_int_equal(otherwise, 1);

	memset(&p, 0, sizeof(p));
	p.since = 1000;
	struct vs_peak *e = vs_peaks_note(&p, "a.service", "x", 1, 10, 65530, 1001, 1002, 1);
	assert_string_equal(e->shape, "allocator"); /* the fallback until judged */
	snprintf(e->shape, sizeof(e->shape), "guarded");
	assert_int_equal(vs_peaks_save(&p, path), 0);
	assert_int_equal(vs_peaks_load(&q, path, 2000, msg, sizeof(msg)), 0);
	assert_string_equal(q.e[0].shape, "guarded");
	snprintf(e->shape, sizeof(e->shape), "nosuch");
	assert_int_equal(vs_peaks_save(&p, path), 0);
	assert_int_equal(vs_peaks_load(&q, path, 2000, msg, sizeof(msg)), 1);
}

struct seen {
	char lines[8][32];
	unsigned n, stop_at;
};

static int keep(char *line, void *arg)
{
	struct seen *s = arg;

	snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s", line);
	return ++s->n == s->stop_at ? 7 : 0;
}

/* The one maps reader: every line without its newline, through a buffer far smaller
 * than the file; a line longer than the buffer given cut (its rest skipped), the
 * next one whole; a nonzero return stops it and is returned; a missing file is
 * -ENOENT. */
static void maps_lines_through_a_small_buffer(void **state)
{
	char buf[16];
	struct seen s = {.stop_at = 99};

	(void)state;
	write_file("7f00-7f01 r--p a\n"
		   "7f01-7f02 ---p 00000000 00:00 0   /a/rather/long/path/name\n"
		   "short\n"
		   "\n"
		   "last\n");
	assert_int_equal(vs_maps_lines(path, buf, sizeof(buf), keep, &s), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.lines[0], "7f00-7f01 r--p ");
	assert_string_equal(s.lines[1], "7f01-7f02 ---p ");
	assert_string_equal(s.lines[2], "short");
	assert_string_equal(s.lines[3], "");
	assert_string_equal(s.lines[4], "last");
	struct seen t = {.stop_at = 2};
	char big[4096];
	assert_int_equal(vs_maps_lines(path, big, sizeof(big), keep, &t), 7);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.lines[1], "7f01-7f02 ---p 00000000 00:00 0");
	assert_int_equal(vs_maps_lines("/nonexistent/maps", big, sizeof(big), keep, &t), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(written_is_read_back, setup),
	    cmocka_unit_test_setup(map_count_and_the_last_release, setup),
	    cmocka_unit_test_setup(not_ours_is_kept_aside, setup),
	    cmocka_unit_test_setup(missing_is_empty, setup),
	    cmocka_unit_test(thresholds_once_a_scan),
	    cmocka_unit_test_setup(shape_guess_from_the_registry, setup),
	    cmocka_unit_test_setup(maps_lines_through_a_small_buffer, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
