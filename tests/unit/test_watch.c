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
	    cmocka_unit_test(last_file_by_name_wins),
	    cmocka_unit_test(etc_hides_the_same_name),
	    cmocka_unit_test(unit_from_cgroup),
	    cmocka_unit_test(count_small_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
