/* test_errnames.c: every errno prints by its name (EROFS used to print as EOTHER). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/log/errnames.h"

static void every_errno_has_its_name(void **state)
{
	(void)state;
	assert_string_equal(vs_errno_name(EROFS), "EROFS");
	assert_string_equal(vs_errno_name(-ENOMEM), "ENOMEM");
	assert_string_equal(vs_errno_name(ENAMETOOLONG), "ENAMETOOLONG");
	for (int e = 1; e <= EHWPOISON; e++) {
		const char *n = vs_errno_name(e);
		if (strcmp(n, "EOTHER") == 0 || strncmp(n, "E", 1) != 0)
			fail_msg("errno %d prints as %s", e, n);
	}
	assert_string_equal(vs_errno_name(9999), "EUNKNOWN");
}

static void counter_slots(void **state)
{
	(void)state;
	assert_int_equal(vs_errno_slot(ENOMEM), 0);
	assert_string_equal(vs_errno_slot_name(vs_errno_slot(-EINVAL)), "EINVAL");
	/* errnos these calls never return share the last slot */
	assert_int_equal(vs_errno_slot(EROFS), VS_ERRNO_SLOTS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_errno_has_its_name),
	    cmocka_unit_test(counter_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
