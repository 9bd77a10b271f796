/* test_config.c: every bad file fails with its FILE:LINE: key: message; good ones load. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmastress/config/config.h"
#include "vmastress/shapes/shape.h"

static const char *data_dir(void)
{
	const char *d = getenv("VS_TEST_DATA");
	return d ? d : "tests/unit/data";
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Each bad file's first line: "# expect: :LINE: key: what". */
static void bad_files_name_file_line_key(void **state)
{
	char dir[512], path[1024], expect[512], want[1600], err[512];
	struct dirent **names;
	struct vs_config cfg;
	int n, checked = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bad", data_dir());
	n = scandir(dir, &names, NULL, by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (!strstr(names[i]->d_name, ".conf")) {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(expect, sizeof(expect), f));
		fclose(f);
		expect[strcspn(expect, "\n")] = 0;
		assert_true(strncmp(expect, "# expect: ", 10) == 0);
		snprintf(want, sizeof(want), "%s%s", path, expect + 10);
		struct vs_config_source src = {.path = path, .must_exist = true};
		int r = vs_config_load(&cfg, &src, err, sizeof(err));
		if (r != -EINVAL || strcmp(err, want) != 0)
			fail_msg("%s: r=%d\n got: %s\nwant: %s", path, r, err, want);
		checked++;
	}
	free(names);
	assert_true(checked >= 15);
}

static void good_file_overrides_profile(void **state)
{
	char path[1024], err[512];
	struct vs_config cfg;

	(void)state;
	struct vs_config_source src = {.path = path, .must_exist = true};

	snprintf(path, sizeof(path), "%s/good/01-overrides.conf", data_dir());
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
	assert_int_equal(cfg.workers, 3);
	assert_true(cfg.seed == 4294967297ULL); /* the L suffix keeps 64 bits */
	assert_string_equal(cfg.shape, "fragment");
	assert_int_equal(cfg.mapping_separator_pages, 0); /* from the preset */
	assert_int_equal(cfg.mapping_min_pages, 4);
	assert_int_equal(cfg.mapping_max_pages, 20);  /* from the file */
	assert_true(cfg.pressure_target_fill == 1.0); /* an integer is fine for a fraction */

	snprintf(path, sizeof(path), "%s/good/02-seed-max.conf", data_dir());
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
	assert_true(cfg.seed == UINT64_MAX); /* read from the text, not libconfig's wrap */

	snprintf(path, sizeof(path), "%s/good/03-shape.conf", data_dir());
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
	assert_string_equal(cfg.shape, "threads"); /* `shape`: the same key */
}

static void command_line_wins(void **state)
{
	char path[1024], err[512];
	struct vs_config_source src = {.path = path, .must_exist = true};
	struct vs_config cfg;

	(void)state;
	assert_int_equal(vs_overrides_set(&src.ov, VS_KEY_workers, "7", err, sizeof(err)), 0);
	assert_int_equal(vs_overrides_set(&src.ov, VS_KEY_seed, "9", err, sizeof(err)), 0);
	assert_int_equal(vs_overrides_set(&src.ov, VS_KEY_shape, "churn", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/good/01-overrides.conf", data_dir());
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
	assert_int_equal(cfg.workers, 7);
	assert_true(cfg.seed == 9);
	assert_string_equal(cfg.shape, "churn");
	assert_int_equal(cfg.mapping_separator_pages, 1); /* churn's, not fragment's */
	assert_int_equal(cfg.mapping_max_pages, 20);	  /* the file still overrides */
}

static void missing_files(void **state)
{
	char err[512];
	struct vs_config cfg;

	(void)state;
	/* The default path may be absent: built-in defaults. */
	struct vs_config_source src = {.path = "/nonexistent/vmastressd.conf"};
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
	assert_string_equal(cfg.shape, "guarded");
	assert_int_equal(cfg.mapping_separator_pages, 1);
	/* A file named on the command line must exist. */
	src.must_exist = true;
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/vmastressd.conf:0: file: cannot read"));
	/* A directory is not a config file. */
	src.path = "/";
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/:0: file:"));
}

static void profiles_are_distinct(void **state)
{
	struct vs_config g, f, c;

	(void)state;
	assert_int_equal(vs_config_defaults(&g, "guarded"), 0);
	assert_int_equal(vs_config_defaults(&f, "fragment"), 0);
	assert_int_equal(vs_config_defaults(&c, "nope"), -EINVAL);
	assert_int_equal(vs_config_defaults(&c, "churn"), 0);
	assert_true(g.mapping_separator_pages > 0 && g.ops_punch == 0);
	assert_true(f.mapping_separator_pages == 0 && f.ops_punch > 0);
	assert_true(f.pressure_target_fill == 1.0 && f.pressure_reserve == 0);
	assert_true(c.mapping_separator_pages > 0 && c.pressure_target_fill < 0.5);
}

/* A shape's keys are declared in its file, stored at its slot of the config, and
 * loaded, defaulted and found as the core's are; the core's table holds none. */
static void shapes_own_their_keys(void **state)
{
	static const char text[] = "files = { count = 5; shared = 0; };\n"
				   "allocator = { chunk_pages = 4; };\n"
				   "threads = { guard = \"madvise\"; };\n";
	char path[] = "/tmp/vs-shapekeys-XXXXXX", err[512], group[64];
	const struct vs_config_key_info *ki;
	struct vs_config def, cfg;
	unsigned total = VS_KEY_COUNT, owners = 0;

	(void)state;
	for (unsigned i = 0; i < VS_KEY_COUNT; i++) {
		snprintf(group, sizeof(group), "%s", vs_config_keys[i].path);
		if (strchr(group, '.'))
			*strchr(group, '.') = 0;
		if (vs_shape_find(group))
			fail_msg("%s: a key of the %s shape in the core's table",
				 vs_config_keys[i].path, group);
	}
	assert_int_equal(vs_config_defaults(&def, "guarded"), 0);
	for (unsigned s = 0; vs_shapes[s]; s++) {
		const struct vs_shape *sh = vs_shapes[s];
		size_t lo =
		    offsetof(struct vs_config, shape_keys) + (size_t)s * VS_SHAPE_KEYS_BYTES;

		owners += sh->nkeys > 0;
		total += sh->nkeys;
		for (unsigned k = 0; k < sh->nkeys; k++) {
			ki = &sh->keys[k];
			size_t n = strlen(sh->name);
			if (strncmp(ki->path, sh->name, n) != 0 || ki->path[n] != '.')
				fail_msg("%s: not in the %s shape's group", ki->path, sh->name);
			assert_ptr_equal(vs_config_key_find(ki->path), ki);
			if (ki->offset < lo || ki->offset + ki->size > lo + VS_SHAPE_KEYS_BYTES)
				fail_msg("%s: outside the %s shape's slot", ki->path, sh->name);
			const void *v = vs_config_value(&def, ki);
			if (ki->type == VS_KEY_STRING)
				assert_string_equal(v, ki->def_string ? ki->def_string : "");
			else
				assert_int_equal(*(const unsigned *)v, (unsigned)ki->def);
		}
	}
	assert_int_equal(owners, 3); /* threads, allocator, files */
	for (unsigned i = 0; (ki = vs_config_key(i)); i++) {
		assert_true(i < total);
		assert_ptr_equal(vs_config_key_find(ki->path), ki); /* no two the same */
	}
	assert_null(vs_config_key(total));
	assert_null(vs_config_key_find("files.nope"));

	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct vs_config_source src = {.path = path, .must_exist = true};
	assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(
	    *(const unsigned *)vs_config_value(&cfg, vs_config_key_find("files.count")), 5);
	assert_int_equal(
	    *(const unsigned *)vs_config_value(&cfg, vs_config_key_find("files.shared")), 0);
	assert_int_equal(
	    *(const unsigned *)vs_config_value(&cfg, vs_config_key_find("files.file_pages")), 64);
	assert_int_equal(
	    *(const unsigned *)vs_config_value(&cfg, vs_config_key_find("allocator.chunk_pages")),
	    4);
	assert_string_equal(vs_config_value(&cfg, vs_config_key_find("threads.guard")), "madvise");
	assert_true((const char *)vs_config_value(&cfg, vs_config_key_find("files.count")) >=
			(const char *)cfg.shape_keys[VS_SHAPE_SLOT_files] &&
		    (const char *)vs_config_value(&cfg, vs_config_key_find("files.count")) <
			(const char *)cfg.shape_keys[VS_SHAPE_SLOT_files + 1]);
}

/* -t's text of a config, in a file; the text is returned (free it). */
static char *printed(const struct vs_config *cfg, const char *path)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	vs_config_print(cfg, f);
	fclose(f);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return text;
}

/* load -> print -> load -> print: the same text, so the same effective config,
 * for every good file and every profile's defaults, a quoted path and a fill
 * that %.4g would round among them. */
static void print_round_trips(void **state)
{
	static const char odd[] =
	    "files = { directory = \"/tmp/vs odd \\\"quoted\\\" \\\\ dir\"; };\n"
	    "pressure = { target_fill = 0.123456789; demand = 70000; };\n";
	char dir[512], path[1024], err[512], tmp[] = "/tmp/vs-roundtrip-XXXXXX";
	struct dirent **names;
	struct vs_config cfg, again;
	int n, checked = 0;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/odd.conf", tmp);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(odd, f);
	fclose(f);
	assert_int_equal(system("mkdir -p '/tmp/vs odd \"quoted\" \\ dir'"), 0);
	snprintf(dir, sizeof(dir), "%s/good", data_dir());
	n = scandir(dir, &names, NULL, by_name);
	assert_true(n > 0);
	for (int i = -1; i < n; i++) {
		char file[1024], out1[1100], out2[1100];
		if (i >= 0 && !strstr(names[i]->d_name, ".conf")) {
			free(names[i]);
			continue;
		}
		if (i >= 0)
			snprintf(file, sizeof(file), "%s/%s", dir, names[i]->d_name);
		else
			snprintf(file, sizeof(file), "%s", path);
		struct vs_config_source src = {.path = file, .must_exist = true};
		assert_int_equal(vs_config_load(&cfg, &src, err, sizeof(err)), 0);
		snprintf(out1, sizeof(out1), "%s/1.conf", tmp);
		snprintf(out2, sizeof(out2), "%s/2.conf", tmp);
		char *one = printed(&cfg, out1);
		struct vs_config_source src1 = {.path = out1, .must_exist = true};
		if (vs_config_load(&again, &src1, err, sizeof(err)) != 0)
			fail_msg("%s: -t's text does not load: %s\n%s", file, err, one);
		char *two = printed(&again, out2);
		if (strcmp(one, two) != 0)
			fail_msg("%s: printed twice, differently:\n%s\n---\n%s", file, one, two);
		assert_null(strstr(one, "= 0; # VMAs the workload")); /* no default out of range */
		free(one);
		free(two);
		checked++;
		if (i >= 0)
			free(names[i]);
	}
	free(names);
	assert_true(checked >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bad_files_name_file_line_key),
	    cmocka_unit_test(good_file_overrides_profile),
	    cmocka_unit_test(command_line_wins),
	    cmocka_unit_test(missing_files),
	    cmocka_unit_test(profiles_are_distinct),
	    cmocka_unit_test(print_round_trips),
	    cmocka_unit_test(shapes_own_their_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
