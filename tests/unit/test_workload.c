/* test_workload.c: workloads (watch/names/workload.c): names read from a root laid
 * out as containers/storage, Docker and the kubelet leave them; a unit's, a
 * container's and a pod's workload from the unit string unit.c makes; a pod's owner
 * from its name; raise.for's globs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmastress/watch/names/workload.h"

#define ID_A "91e515d0c5c3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab0123"
#define ID_C "fedcba987654fedcba987654fedcba987654fedcba987654fedcba987654fedc"

static char root[64];
static struct vs_names names;

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/vmastress-test-wl-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("/var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID_A "\",\"names\":[\"es-data-0\"],\"image\":\"x\",\"layer\":\"" ID_C
	    "\",\"metadata\":\"{\\\"id\\\":\\\"nope\\\"}\"},{\"id\":\"" ID_C "\",\"names\":[]}]");
	put("/var/lib/docker/containers/" ID_B "/config.v2.json", "{\"ID\":\"" ID_B
								 "\",\"Name\":\"/web-1\"}");
	put("/var/log/containers/es-data-1_search_elasticsearch-" ID_C ".log", "");
	put("/var/log/containers/not-a-link.log", "");
	vs_names_init(&names, root);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	vs_names_destroy(&names);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_names(void **state)
{
	struct vs_workload w;

	(void)state;
	assert_int_equal(vs_names_refresh(&names), 3);
	assert_int_equal(vs_names_refresh(&names), 3); /* unchanged: not read again */
	vs_workload_of(&names, "podman:91e515d0c5c3", &w);
	assert_int_equal(w.kind, VS_WORKLOAD_CONTAINER);
	assert_string_equal(w.name, "podman:es-data-0");
	assert_true(w.named);
	vs_workload_of(&names, "docker:0123456789ab", &w);
	assert_string_equal(w.name, "docker:web-1");
	vs_workload_of(&names, "podman:ffffffffffff", &w); /* not there: its short id, why */
	assert_string_equal(w.name, "podman:ffffffffffff");
	assert_false(w.named);
	assert_non_null(w.why);
	vs_workload_of(&names, "pod:5e1c0000-1111/fedcba987654", &w);
	assert_int_equal(w.kind, VS_WORKLOAD_POD);
	assert_string_equal(w.name, "pod:search/es-data-1/elasticsearch");
	assert_string_equal(w.key, "pod:search/es-data");
	vs_workload_of(&names, "pod:5e1c0000-1111/aaaaaaaaaaaa", &w);
	assert_false(w.named);
	assert_string_equal(w.name, "pod:5e1c0000-1111/aaaaaaaaaaaa");
	vs_workload_of(&names, "elasticsearch.service", &w);
	assert_int_equal(w.kind, VS_WORKLOAD_UNIT);
	assert_string_equal(w.key, "elasticsearch.service");
	vs_workload_of(&names, "", &w);
	assert_int_equal(w.kind, VS_WORKLOAD_HOST);
	assert_string_equal(w.key, "");
	vs_workload_of(NULL, "podman:91e515d0c5c3", &w); /* no names known */
	assert_false(w.named);
	/* A new container: its name once the file changes. */
	sleep(1);
	put("/var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID_A "\",\"names\":[\"es-data-9\"]}]");
	assert_int_equal(vs_names_refresh(&names), 3);
	vs_workload_of(&names, "podman:91e515d0c5c3", &w);
	assert_string_equal(w.name, "podman:es-data-9");
}

static void test_owner(void **state)
{
	static const char *const cases[][2] = {
	    {"es-data-0", "es-data"},	       {"es-data-12", "es-data"},
	    {"web-7d9f8c6b5-x2k4p", "web"},	       {"node-agent-x2k4p", "node-agent"},
	    {"standalone", "standalone"},      {"db-primary", "db-primary"},
	    {"web-5c6b8d7f9b-abcde", "web"},
	};
	char owner[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vs_workload_pod_owner(cases[i][0], owner, sizeof(owner));
		assert_string_equal(owner, cases[i][1]);
	}
}

static void test_scope(void **state)
{
	struct vs_workload pod = {.kind = VS_WORKLOAD_POD,
				  .named = true,
				  .name = "pod:search/es-data-0/elasticsearch"},
			   ctr = {.kind = VS_WORKLOAD_CONTAINER, .named = true,
				  .name = "podman:es-data-0"},
			   unit = {.kind = VS_WORKLOAD_UNIT, .named = true,
				   .name = "elasticsearch.service"};
	const char *const globs[] = {"pod:search/es-*", "container:es-*", "elasticsearch.service"};
	const char *const other[] = {"pod:shop/*", "docker:*", "unit:web.service"};

	(void)state;
	assert_true(vs_workload_in(&pod, globs, 1));
	assert_true(vs_workload_in(&ctr, globs + 1, 1));
	assert_true(vs_workload_in(&unit, globs + 2, 1));
	assert_true(vs_workload_in(&ctr, NULL, 0)); /* empty: any */
	assert_false(vs_workload_in(&pod, other, 3));
	assert_false(vs_workload_in(&ctr, other, 3));
	assert_false(vs_workload_in(&unit, other, 3));
	const char *const by_runtime[] = {"podman:es-*"};
	assert_true(vs_workload_in(&ctr, by_runtime, 1));
	const char *const by_kind[] = {"unit:elasticsearch.service"};
	assert_true(vs_workload_in(&unit, by_kind, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_owner),
	    cmocka_unit_test(test_scope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
