/* test_cli.c: the command line (README.md, vmastressd(8)), and usage errors with exit 64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmastress/config/cli.h"

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
	const struct vs_overrides *ov = &cli.src.ov;
	assert_string_equal(cli.src.path, "/x.conf");
	assert_true(cli.src.must_exist);
	assert_true(cli.check_config);
	assert_true(ov->has[VS_KEY_duration] && ov->v.duration == 5);
	assert_true(ov->has[VS_KEY_workers] && ov->v.workers == 3);
	assert_true(ov->has[VS_KEY_seed] && ov->v.seed == 42);
	assert_true(ov->has[VS_KEY_shape] && !strcmp(ov->v.shape, "fragment"));
	assert_true(ov->has[VS_KEY_stats_socket] && !strcmp(ov->v.stats_socket, "none"));
	assert_false(ov->has[VS_KEY_mapping_max_pages]);
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
	    {3, {"vmastressd", "-w", "0"}, "--workers: 0 is out of range 1..256"},
	    {3, {"vmastressd", "-w", "257"}, "--workers: 257 is out of range 1..256"},
	    {3, {"vmastressd", "-d", "-1"}, "--duration: \"-1\" is not a non-negative integer"},
	    {3, {"vmastressd", "-s", "12x"}, "--seed: \"12x\" is not a non-negative integer"},
	    {3,
	     {"vmastressd", "-s", "99999999999999999999"},
	     "--seed: 99999999999999999999 is out of range"},
	    {3, {"vmastressd", "-p", "chaos"}, "--shape: unknown shape \"chaos\""},
	    {3,
	     {"vmastressd", "--socket", "rel.sock"},
	     "--socket: must be an absolute path or \"none\""},
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

/* --shape, and its old name --profile: one key. */
static void shape_and_its_alias(void **state)
{
	static const char *const flags[] = {"--shape", "--profile", "-p"};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char out[512] = "";
		struct vs_cli cli;
		char *argv[] = {"vmastressd", (char *)flags[i], "threads"};
		assert_int_equal(parse(&cli, out, sizeof(out), 3, argv), 0);
		assert_true(cli.src.ov.has[VS_KEY_shape] && !strcmp(cli.src.ov.v.shape, "threads"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_option),
	    cmocka_unit_test(shape_and_its_alias),
	    cmocka_unit_test(bad_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
