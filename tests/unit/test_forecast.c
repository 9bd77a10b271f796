/* test_forecast.c: the forecast's decisions (forecast.h): a window's rate, when a
 * climb is one, the time left, one warning a climb; and a table fed as the scanner
 * feeds it: a steady climber's time to the limit, a flat process with none, a
 * falling one, an exited one forgotten. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "vmastress/watch/forecast/forecast.h"

static void decisions(void **state)
{
	bool warned = false;

	(void)state;
	assert_true(vs_forecast_eta(10000, 65530, 1000) > 55.5 &&
		    vs_forecast_eta(10000, 65530, 1000) < 55.6);
	assert_true(vs_forecast_eta(65530, 65530, 10) == 0);
	assert_true(vs_forecast_eta(100, 65530, 0) < 0);
	/* A rise below the noise: the long window's pace when the short keeps it (a slow
	 * leak), none after a burst long ago (a jitter now); a fall ends the climb whatever
	 * the long said. */
	assert_true(vs_forecast_climb(65530, true, 2.5, 5, true, 3, 900) == 3);
	assert_true(vs_forecast_climb(65530, true, 0.5, 5, true, 3, 900) == 0);
	assert_true(vs_forecast_climb(65530, true, 0, 0, true, 200, 60000) == 0);
	assert_true(vs_forecast_climb(65530, true, 0.5, 5, true, 0.1, 30) == 0);
	assert_true(vs_forecast_climb(65530, true, -2, -20, true, 3, 900) == 0);
	assert_true(vs_forecast_climb(65530, true, 2000, 4000, true, 10, 900) == 2000);
	/* One warning a climb: again only after it ended. */
	assert_true(vs_forecast_should_warn(300, 600, false, &warned));
	assert_false(vs_forecast_should_warn(200, 600, false, &warned));
	assert_false(vs_forecast_should_warn(-1, 600, false, &warned)); /* a pause */
	assert_false(vs_forecast_should_warn(150, 600, false, &warned));
	assert_false(vs_forecast_should_warn(-1, 600, true, &warned)); /* ended */
	assert_true(vs_forecast_should_warn(100, 600, false, &warned));
	assert_false(vs_forecast_should_warn(100, 0, true, &warned));
	assert_false(vs_forecast_should_warn(100, 0, false, &warned));
}

static struct vs_forecast f;

static void feed(double t, long pid, long vmas)
{
	vs_forecast_begin(&f, 65530, 1048576, 600, t);
	vs_forecast_sample(&f, pid, vmas);
	vs_forecast_sample(&f, 2, 62250);				     /* flat at 95 % */
	vs_forecast_sample(&f, 3, (long)(30000 - 50 * t));		     /* falling */
	vs_forecast_sample(&f, 4, t < 2 ? 2000 + (long)(14000 * t) : 30000); /* a burst */
	vs_forecast_end(&f, false);
}

static void table(void **state)
{
	(void)state;
	/* 1 000 VMAs a second from 10 000, counted every 250 ms. */
	for (int k = 0; k <= 110; k++) {
		double t = k * 0.25;
		feed(t, 1, 10000 + (long)(1000 * t));
	}
	const struct vs_forecast_proc *c = vs_forecast_of(&f, 1), *flat = vs_forecast_of(&f, 2),
				      *fall = vs_forecast_of(&f, 3);
	assert_non_null(c);
	double truth = (65530.0 - (double)c->vmas) / 1000.0;
	assert_true(fabs(c->to_limit - truth) < 0.05 * truth);
	assert_true(c->to_ceiling > c->to_limit);
	assert_true(flat && flat->to_limit < 0);
	assert_true(fall && fall->to_limit < 0 && fall->rate < 0);
	const struct vs_forecast_proc *burst = vs_forecast_of(&f, 4);
	assert_true(burst && burst->to_limit < 0 && !burst->warned); /* flat since */
	const struct vs_forecast_proc *soon[4];
	assert_int_equal(vs_forecast_soonest(&f, soon, 4), 1);
	assert_ptr_equal(soon[0], c);
	/* Its warning came once, at its first forecast (55 s < 600 s). */
	assert_true(c->warned);
	/* Exited: gone at the next full pass. */
	vs_forecast_begin(&f, 65530, 1048576, 600, 30);
	vs_forecast_sample(&f, 2, 62250);
	vs_forecast_end(&f, false);
	assert_null(vs_forecast_of(&f, 1));
	assert_non_null(vs_forecast_of(&f, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decisions),
	    cmocka_unit_test(table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
