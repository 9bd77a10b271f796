/* test_cli.c: the command line of DESIGN.md, and usage errors with exit 64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/cli.h"

static int parse(struct vs_cli *cli, char *out, size_t len, int argc, char **argv)
{
	FILE *f = fmemopen(out, len, "w");
	int r = vs_cli_parse(cli, argc, argv, f);
	fclose(f);
	return r;
}

static void every_option(void **state)
{
	char *argv[] = {"vmastressd", "-c",   "/x.conf",  "-t", "-d",	     "5",
			"-w",	      "3",    "-s",	  "42", "-p",	     "fragment",
			"--socket",   "none", "--report", "-",	"--max-ops", "100"};
	char out[256] = "";
	struct vs_cli cli;

	(void)state;
	assert_int_equal(parse(&cli, out, sizeof(out), 18, argv), 0);
	assert_string_equal(cli.config_path, "/x.conf");
	assert_true(cli.check_config);
	assert_true(cli.ov.has_duration && cli.ov.duration == 5);
	assert_true(cli.ov.has_workers && cli.ov.workers == 3);
	assert_true(cli.ov.has_seed && cli.ov.seed == 42);
	assert_string_equal(cli.ov.profile, "fragment");
	assert_string_equal(cli.ov.socket, "none");
	assert_string_equal(cli.report, "-");
	assert_true(cli.max_ops == 100);
}

static void bad_usage(void **state)
{
	static const struct {
		int argc;
		char *argv[4];
		const char *msg;
	} cases[] = {
	    {2, {"vmastressd", "--bogus"}, "unknown option --bogus"},
	    {2, {"vmastressd", "-x"}, "unknown option -x"},
	    {3, {"vmastressd", "-w", "0"}, "--workers: must be at least 1"},
	    {3, {"vmastressd", "-w", "257"}, "--workers: 257 is out of range 0..256"},
	    {3, {"vmastressd", "-d", "-1"}, "--duration: \"-1\" is not a non-negative integer"},
	    {3, {"vmastressd", "-s", "12x"}, "--seed: \"12x\" is not a non-negative integer"},
	    {3,
	     {"vmastressd", "-s", "99999999999999999999"},
	     "--seed: 99999999999999999999 is out of range"},
	    {3, {"vmastressd", "-p", "chaos"}, "--profile: unknown profile \"chaos\""},
	    {3,
	     {"vmastressd", "--socket", "rel.sock"},
	     "--socket: \"rel.sock\" is not an absolute path"},
	    {2, {"vmastressd", "-c"}, "option -c needs an argument"},
	    {2, {"vmastressd", "extra"}, "unexpected argument \"extra\""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[512] = "";
		struct vs_cli cli;
		char *argv[4];
		memcpy(argv, cases[i].argv, sizeof(argv));
		assert_int_equal(parse(&cli, out, sizeof(out), cases[i].argc, argv), VS_EX_USAGE);
		if (!strstr(out, cases[i].msg))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, out, cases[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_option),
	    cmocka_unit_test(bad_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
