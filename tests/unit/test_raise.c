/* test_raise.c: the raise policy's rules that need no sysctl write: raise.kernel_budget's
 * text, the ladder's next step, the trigger at raise.at of the limit, the states a
 * start and a reload give (off below the ceiling's rule, an administrator's write
 * stops it, a reload arms it again and keeps the value found at start). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/config/config.h"
#include "vmastress/watch/peaks/advice.h"
#include "vmastress/raise/policy.h"
#include "vmastress/watch/limit/limit.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void budget_text(void **state)
{
	double share;
	uint64_t bytes;

	(void)state;
	assert_int_equal(vs_config_budget("2%", &share, &bytes), 0);
	assert_true(share > 0.0199 && share < 0.0201 && bytes == 0);
	assert_int_equal(vs_config_budget("0.5%", &share, &bytes), 0);
	assert_true(share > 0.00499 && share < 0.00501);
	assert_int_equal(vs_config_budget("256M", &share, &bytes), 0);
	assert_true(share == 0 && bytes == 268435456);
	assert_int_equal(vs_config_budget("1GiB", &share, &bytes), 0);
	assert_true(bytes == 1073741824);
	assert_int_equal(vs_config_budget("268435456", &share, &bytes), 0);
	assert_true(bytes == 268435456);
	static const char *const bad[] = {"", "lots", "-1", "0%", "150%", "2%%", "1.5", "12X",
					  "1Gb", "% 2", "0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vs_config_budget(bad[i], &share, &bytes), -22);
}

static void ladder(void **state)
{
	(void)state;
	assert_int_equal(vs_advice_next_step(65530), 131072);
	assert_int_equal(vs_advice_next_step(70000), 131072);
	assert_int_equal(vs_advice_next_step(131072), 262144);
	assert_int_equal(vs_advice_next_step(1048576), 2097152);
	assert_int_equal(vs_advice_next_step(1L << 30), VS_ADVICE_LIMIT_MAX);
	assert_int_equal(vs_advice_next_step(VS_ADVICE_LIMIT_MAX), VS_ADVICE_LIMIT_MAX);
}

static struct vs_config cfg;
static struct vs_raise r;

static void states(void **state)
{
	(void)state;
	assert_int_equal(vs_config_defaults(&cfg, "churn"), 0);
	/* off by default */
	vs_raise_setup(&r, &cfg, 65530, 1ULL << 30, true);
	assert_int_equal(r.state, VS_RAISE_OFF);
	assert_int_equal(vs_raise_trigger_at(&r), 0);
	/* dry-run needs no permission: armed at 90 % of the limit */
	cfg.raise_enabled = 1;
	cfg.raise_dry_run = 1;
	vs_raise_setup(&r, &cfg, 65530, 1ULL << 30, true);
	assert_int_equal(r.state, VS_RAISE_ARMED);
	assert_int_equal(vs_raise_trigger_at(&r), 58977);
	assert_int_equal(r.budget, (uint64_t)(0.02 * (double)(1ULL << 30)));
	/* an administrator's write stops it; a reload arms it, the value found kept */
	assert_false(vs_raise_check_limit(&r, 65530));
	assert_true(vs_raise_check_limit(&r, 70000));
	assert_int_equal(r.state, VS_RAISE_STOPPED);
	assert_non_null(strstr(r.reason, "someone else"));
	assert_int_equal(vs_raise_trigger_at(&r), 0);
	vs_raise_setup(&r, &cfg, 70000, 1ULL << 30, false);
	assert_int_equal(r.state, VS_RAISE_ARMED);
	assert_int_equal(r.found, 65530);
	assert_int_equal(vs_raise_trigger_at(&r), 63000);
	/* at or above the ceiling: off, said */
	vs_raise_setup(&r, &cfg, 2147483642L, 1ULL << 30, true);
	assert_int_equal(r.state, VS_RAISE_OFF);
	assert_non_null(strstr(r.reason, "raise.ceiling"));
	/* a byte budget as written */
	snprintf(cfg.raise_kernel_budget, sizeof(cfg.raise_kernel_budget), "20M");
	vs_raise_setup(&r, &cfg, 65530, 1ULL << 30, true);
	assert_int_equal(r.budget, 20971520);
}

static void memtotal(void **state)
{
	(void)state;
	assert_int_equal(vs_raise_memtotal("MemTotal:       24683548 kB\nMemFree: 1 kB\n"),
			 24683548ULL * 1024);
	assert_int_equal(vs_raise_memtotal("MemFree: 1 kB\n"), 0);
}

/* raise.for: a process outside it is refused a step (scope), said once a min_interval,
 * the others' quietly; one in it goes on; an unnamed container waits to be named. */
static void scope(void **state)
{
	char path[] = "/tmp/vmastress-test-limit-XXXXXX";
	struct vs_watch_limit owner;
	struct vs_raise_record rec;
	struct vs_workload es = {.kind = VS_WORKLOAD_CONTAINER, .named = true, .name = "podman:es-0"},
			   other = {.kind = VS_WORKLOAD_CONTAINER, .named = true, .name = "podman:db-0"},
			   lost = {.kind = VS_WORKLOAD_CONTAINER, .named = false, .name = "podman:0123456789ab"};
	struct vs_raise_trigger t = {.crossed = 1, .pid = 10, .map_count = 60000, .comm = "x", .unit = ""};
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0 && write(fd, "65530\n", 6) == 6);
	close(fd);
	vs_watch_limit_init(&owner, path, NULL, NULL);
	assert_int_equal(vs_config_defaults(&cfg, "churn"), 0);
	cfg.raise_enabled = 1;
	cfg.raise_dry_run = 1;
	snprintf(cfg.raise_for, sizeof(cfg.raise_for), "container:es-* unit:web.service");
	vs_raise_setup(&r, &cfg, 65530, 8ULL << 30, true);
	r.limit = &owner;
	assert_int_equal(r.nscope, 2);
	t.workload = &other;
	assert_int_equal(vs_raise_on_trigger(&r, &t, 100.0, &rec), VS_RAISE_REFUSED);
	assert_int_equal(rec.why, VS_RAISE_SCOPE);
	assert_string_equal(rec.workload, "podman:db-0");
	assert_int_equal(r.refused[VS_RAISE_SCOPE], 1);
	assert_non_null(strstr(r.refusal, "not in raise.for"));
	t.pid = 11; /* another outside, a moment later: not said again */
	assert_int_equal(vs_raise_on_trigger(&r, &t, 100.5, &rec), VS_RAISE_OUT_OF_SCOPE);
	assert_int_equal(r.refused[VS_RAISE_SCOPE], 1);
	t.pid = 12;
	t.workload = &es; /* in it: the step (dry-run here) */
	assert_int_equal(vs_raise_on_trigger(&r, &t, 100.6, &rec), VS_RAISE_WOULD);
	assert_string_equal(rec.workload, "podman:es-0");
	t.pid = 13;
	t.workload = &lost; /* not named yet: asked again, then judged by its short id */
	assert_int_equal(vs_raise_on_trigger(&r, &t, 200.0, &rec), VS_RAISE_UNNAMED);
	assert_int_equal(vs_raise_on_trigger(&r, &t, 200.5, &rec), VS_RAISE_UNNAMED);
	assert_int_equal(vs_raise_on_trigger(&r, &t, 201.1, &rec), VS_RAISE_REFUSED);
	assert_int_equal(rec.why, VS_RAISE_SCOPE);
	/* "*": any */
	snprintf(cfg.raise_for, sizeof(cfg.raise_for), "*");
	vs_raise_setup(&r, &cfg, 65530, 1ULL << 30, false);
	assert_int_equal(r.nscope, 0);
	vs_watch_limit_destroy(&owner);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(budget_text),
	    cmocka_unit_test(ladder),
	    cmocka_unit_test(states),
	    cmocka_unit_test(memtotal),
	    cmocka_unit_test(scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
