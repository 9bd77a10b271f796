/* test_watch.c: watch mode's pieces: which sysctl.d file sets the limit (fixture trees
 * of /etc, /run and /usr/lib), the unit from /proc/PID/cgroup, and counting maps
 * read in small chunks, [vsyscall] straddling two reads. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmastress/model/vma.h"
#include "vmastress/watch/watch.h"

static void resolve(const char *tree, struct vs_sysctl_source *s)
{
	char root[1024];

	snprintf(root, sizeof(root), "%s/sysctl/%s", getenv("VS_TEST_DATA"), tree);
	vs_sysctld_resolve(root, "vm.max_map_count", s);
}

/* Files in name order across the directories, the last line wins; "vm/x" is "vm.x";
 * comments, other keys and files not named *.conf do not count; "-key" does. */
static void last_file_by_name_wins(void **state)
{
	struct vs_sysctl_source s;

	(void)state;
	resolve("a", &s);
	assert_string_equal(s.source, "/usr/lib/sysctl.d/99-late.conf");
	assert_int_equal(s.source_value, 1048576);
}

/* A name in /etc hides it in /run and /usr/lib (an empty file masks); a value that
 * is not a number is shown as none, with its file. */
static void etc_hides_the_same_name(void **state)
{
	struct vs_sysctl_source s;

	(void)state;
	resolve("b", &s);
	assert_string_equal(s.source, "/run/sysctl.d/30-a.conf");
	assert_int_equal(s.source_value, -1);
	resolve("c", &s);
	assert_string_equal(s.source, "/etc/sysctl.d/10-map-count.conf");
	assert_int_equal(s.source_value, 300000);
	resolve("none-such", &s);
	assert_string_equal(s.source, "");
	assert_int_equal(s.source_value, -1);
}

/* A root made for a case: each "PATH=TEXT" written under it ("PATH=@/dev/null": a link). */
static void tree(char *root, size_t len, const char *const *files)
{
	char path[1200], cmd[1300];

	snprintf(root, len, "/tmp/vmastress-sysctld-XXXXXX");
	assert_non_null(mkdtemp(root));
	for (; *files; files++) {
		const char *eq = strchr(*files, '=');
		snprintf(path, sizeof(path), "%s%.*s", root, (int)(eq - *files), *files);
		snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
		assert_int_equal(system(cmd), 0);
		if (eq[1] == '@') {
			assert_int_equal(symlink(eq + 2, path), 0);
			continue;
		}
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(eq + 1, f);
		fclose(f);
	}
}

static void untree(const char *root)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* OpenSearch's package (opensearch.conf, 262144) sorts after the distribution's
 * 10-map-count.conf (1048576) and wins: it lowers the limit; each file's owner from
 * dpkg's lists (a /lib path listed for a /usr/lib file, as on a merged /usr). The
 * drop-in must sort after opensearch.conf. */
static void opensearch_lowers(void **state)
{
	static const char *const files[] = {
	    "/usr/lib/sysctl.d/10-map-count.conf=vm.max_map_count = 1048576\n",
	    "/usr/lib/sysctl.d/opensearch.conf=# OpenSearch\nvm.max_map_count=262144\n",
	    "/var/lib/dpkg/info/linux-sysctl-defaults.list=/.\n/lib/sysctl.d\n"
	    "/lib/sysctl.d/10-map-count.conf\n",
	    "/var/lib/dpkg/info/opensearch:amd64.list=/usr/lib/sysctl.d/opensearch.conf\n", NULL};
	struct vs_sysctl_source s = {.value = 262144};
	char root[300], path[300], after[300];

	(void)state;
	tree(root, sizeof(root), files);
	vs_sysctld_resolve(root, "vm.max_map_count", &s);
	assert_int_equal(s.nsources, 2);
	assert_string_equal(s.sources[0].path, "/usr/lib/sysctl.d/10-map-count.conf");
	assert_string_equal(s.sources[0].package, "linux-sysctl-defaults");
	assert_string_equal(s.sources[1].path, "/usr/lib/sysctl.d/opensearch.conf");
	assert_string_equal(s.sources[1].package, "opensearch");
	assert_string_equal(s.source, "/usr/lib/sysctl.d/opensearch.conf");
	assert_true(s.lowers);
	assert_string_equal(s.lowered_from, "/usr/lib/sysctl.d/10-map-count.conf");
	assert_int_equal(s.lowered_from_value, 1048576);
	assert_true(s.running_matches);
	vs_sysctld_dropin(&s, path, sizeof(path), after, sizeof(after));
	assert_string_equal(path, "/etc/sysctl.d/zz-vmastress-max-map-count.conf");
	assert_true(strcmp("zz-vmastress-max-map-count.conf", "opensearch.conf") > 0);
	assert_string_equal(after, "/usr/lib/sysctl.d/opensearch.conf");
	untree(root);
}

/* Steam-Headless: a script's /etc file pulls SteamOS's 2147483642 down to 524288; the
 * running value no longer what the files set (a sysctl -w since boot). */
static void steam_lowers(void **state)
{
	static const char *const files[] = {
	    "/usr/lib/sysctl.d/99-steamos.conf=vm.max_map_count=2147483642\n",
	    "/etc/sysctl.d/99-zz-steam-headless.conf=vm.max_map_count=524288\n", NULL};
	struct vs_sysctl_source s = {.value = 65530};
	char root[300], path[300], after[300];

	(void)state;
	tree(root, sizeof(root), files);
	vs_sysctld_resolve(root, "vm.max_map_count", &s);
	assert_int_equal(s.nsources, 2);
	assert_string_equal(s.sources[0].path, "/usr/lib/sysctl.d/99-steamos.conf");
	assert_string_equal(s.source, "/etc/sysctl.d/99-zz-steam-headless.conf");
	assert_int_equal(s.source_value, 524288);
	assert_true(s.lowers);
	assert_int_equal(s.lowered_from_value, 2147483642L);
	assert_false(s.running_matches);
	assert_string_equal(s.sources[0].package, "");
	vs_sysctld_dropin(&s, path, sizeof(path), after, sizeof(after));
	assert_string_equal(path, "/etc/sysctl.d/zz-vmastress-max-map-count.conf");
	untree(root);
}

/* An /etc file masks the /usr/lib file of its name: with a value (it alone applies:
 * nothing lowered, 262144 is above the kernel's default), or as a link to /dev/null
 * (nothing applies: the kernel's default). Ubuntu's 10-map-count.conf lives in /etc
 * and belongs to a package. A raise (or sysctl -w) since boot: not matching. */
static void masking_and_packages(void **state)
{
	static const char *const valued[] = {
	    "/usr/lib/sysctl.d/10-map-count.conf=vm.max_map_count = 1048576\n",
	    "/etc/sysctl.d/10-map-count.conf=vm.max_map_count = 262144\n",
	    "/var/lib/dpkg/info/procps.list=/etc/sysctl.d/10-map-count.conf\n", NULL};
	static const char *const nulled[] = {
	    "/usr/lib/sysctl.d/10-map-count.conf=vm.max_map_count = 1048576\n",
	    "/etc/sysctl.d/10-map-count.conf=@/dev/null", NULL};
	struct vs_sysctl_source s = {.value = 262144};
	char root[300], path[300], after[300];

	(void)state;
	tree(root, sizeof(root), valued);
	vs_sysctld_resolve(root, "vm.max_map_count", &s);
	assert_int_equal(s.nsources, 2);
	assert_string_equal(s.sources[0].path, "/etc/sysctl.d/10-map-count.conf");
	assert_false(s.sources[0].masked);
	assert_string_equal(s.sources[0].package, "procps");
	assert_string_equal(s.sources[1].path, "/usr/lib/sysctl.d/10-map-count.conf");
	assert_true(s.sources[1].masked);
	assert_string_equal(s.sources[1].masked_by, "/etc/sysctl.d/10-map-count.conf");
	assert_string_equal(s.source, "/etc/sysctl.d/10-map-count.conf");
	assert_false(s.lowers);
	assert_true(s.running_matches);
	vs_sysctld_dropin(&s, path, sizeof(path), after, sizeof(after));
	assert_string_equal(path, "/etc/sysctl.d/60-vmastress-max-map-count.conf");
	assert_string_equal(after, "/etc/sysctl.d/10-map-count.conf");
	untree(root);

	s.value = 131072;
	tree(root, sizeof(root), nulled);
	vs_sysctld_resolve(root, "vm.max_map_count", &s);
	assert_int_equal(s.nsources, 1);
	assert_true(s.sources[0].masked);
	assert_string_equal(s.source, "");
	assert_false(s.lowers);
	assert_false(s.running_matches); /* 131072, not the kernel's 65530 */
	untree(root);
}

static void unit_from_cgroup(void **state)
{
	char u[VS_WATCH_UNIT_MAX];

	(void)state;
	vs_watch_unit_of("0::/system.slice/elasticsearch.service\n", u, sizeof(u));
	assert_string_equal(u, "elasticsearch.service");
	vs_watch_unit_of("0::/system.slice/docker-1a2b.scope/init\n", u, sizeof(u));
	assert_string_equal(u, "docker-1a2b.scope"); /* not a container id: a unit */
	/* Containers, from real cgroup paths: docker, podman, Kubernetes (both drivers). */
	vs_watch_unit_of("0::/system.slice/docker-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281"
			 "7f6e5d4c3b2a1908.scope\n",
			 u, sizeof(u));
	assert_string_equal(u, "docker:4f3c2b1a0e9d");
	vs_watch_unit_of("0::/machine.slice/libpod-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f"
			 "5a4b3c2d1e0f9a8b.scope/container\n",
			 u, sizeof(u));
	assert_string_equal(u, "podman:9a8b7c6d5e4f");
	vs_watch_unit_of(
	    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5e1c"
	    "a8b2_3f4d_4e6a_9b7c_1d2e3f4a5b6c.slice/cri-containerd-0123456789abcdef01234"
	    "56789abcdef0123456789abcdef0123456789abcdef.scope\n",
	    u, sizeof(u));
	assert_string_equal(u, "pod:5e1ca8b2-3f4d-4e6a-9b7c-1d2e3f4a5b6c/0123456789ab");
	vs_watch_unit_of("0::/kubepods/besteffort/pod7c9d1e2f-aaaa-bbbb-cccc-0123456789ab/"
			 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n",
			 u, sizeof(u));
	assert_string_equal(u, "pod:7c9d1e2f-aaaa-bbbb-cccc-0123456789ab/fedcba987654");
	vs_watch_unit_of("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
			 "app-gnome-firefox-42.scope\n",
			 u, sizeof(u));
	assert_string_equal(u, "app-gnome-firefox-42.scope");
	vs_watch_unit_of("0::/user.slice/user-1000.slice\n", u, sizeof(u));
	assert_string_equal(u, "user-1000.slice");
	vs_watch_unit_of("0::/\n", u, sizeof(u));
	assert_string_equal(u, "");
	vs_watch_unit_of("12:pids:/x\n1:name=systemd:/y.service\n", u, sizeof(u)); /* v1 only */
	assert_string_equal(u, "");
}

/* Read 5 bytes at a time: "[vsyscall]\n" arrives split across reads, and is not
 * counted; the same line elsewhere than last is an ordinary line. */
static void count_small_reads(void **state)
{
	static const char maps[] =
	    "00400000-00401000 r-xp 00000000 08:01 1 /bin/x\n"
	    "7ffc0000-7ffc1000 rw-p 00000000 00:00 0 [stack]\n"
	    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";
	char path[] = "/tmp/vmastress-maps-XXXXXX", buf[5];
	long n;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, maps, sizeof(maps) - 1), (ssize_t)sizeof(maps) - 1);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(vs_vma_count_fd(fd, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ftruncate(fd, 0), 0);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(write(fd, maps, 47 + 48), 47 + 48); /* no [vsyscall] */
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(vs_vma_count_fd(fd, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 2);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(last_file_by_name_wins), cmocka_unit_test(etc_hides_the_same_name),
	    cmocka_unit_test(opensearch_lowers),      cmocka_unit_test(steam_lowers),
	    cmocka_unit_test(masking_and_packages),   cmocka_unit_test(unit_from_cgroup),
	    cmocka_unit_test(count_small_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
