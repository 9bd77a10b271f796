/* catch_read.c: reading the watch's BPF program: the limit and the mark's level
 * it is given, its rings of caught calls and of marks, its per-CPU
 * counters, the task iterator's counts, the peaks and the per-cgroup hits. */
#ifdef VS_HAVE_BPF
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "catch.skel.h"
#include "catch_private.h"

void vs_catch_set_limit(struct vs_catch *c, long limit)
{
	__u32 l = limit > 0 && limit < 0xffffffffL ? (__u32)limit : 0xffffffffu;

	/* Peaks in the kernel from a sixteenth of the limit up: below it a process
	 * is far from the limit and the scans' counts are its peak (and most
	 * processes' calls then skip the map). Called only by the limit's owner
	 * (limit.h), for every value it reads or writes. */
	__atomic_store_n(&c->skel->bss->limit, l, __ATOMIC_RELAXED);
	__atomic_store_n(&c->skel->bss->peak_floor, l / 16, __ATOMIC_RELAXED);
}

int vs_catch_fd(const struct vs_catch *c)
{
	return ring_buffer__epoll_fd(c->rb);
}

int vs_catch_drain(struct vs_catch *c, vs_catch_event_fn fn, void *userdata, unsigned max)
{
	if (!max)
		return 0;
	c->fn = fn;
	c->userdata = userdata;
	c->left = max;
	int r = ring_buffer__consume(c->rb);
	return r == -EAGAIN ? (int)max : r;
}

void vs_catch_mark_arm(struct vs_catch *c, long at_count)
{
	__u32 at = at_count > 0 && at_count < 0xffffffffL ? (__u32)at_count : 0;

	/* The program reads both on every exit near the limit: the threshold first. */
	__atomic_store_n(&c->skel->bss->mark_armed, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&c->skel->bss->mark_at, at, __ATOMIC_RELEASE);
	__atomic_store_n(&c->skel->bss->mark_armed, at ? 1 : 0, __ATOMIC_RELEASE);
}

int vs_catch_mark_skip(struct vs_catch *c, long pid)
{
	__u32 key = (__u32)pid;
	__u8 one = 1;

	if (pid < 0) { /* all of them */
		__u32 next;
		while (bpf_map_get_next_key(bpf_map__fd(c->skel->maps.mark_skip), NULL, &next) == 0)
			if (bpf_map_delete_elem(bpf_map__fd(c->skel->maps.mark_skip), &next) < 0)
				return -errno;
		return 0;
	}
	return bpf_map_update_elem(bpf_map__fd(c->skel->maps.mark_skip), &key, &one, BPF_ANY) < 0
		   ? -errno
		   : 0;
}

int vs_catch_mark_fd(const struct vs_catch *c)
{
	return ring_buffer__epoll_fd(c->mark_rb);
}

int vs_catch_mark_drain(struct vs_catch *c, vs_catch_event_fn fn, void *userdata)
{
	c->mark_fn = fn;
	c->mark_userdata = userdata;
	return ring_buffer__consume(c->mark_rb);
}

int vs_catch_counters(struct vs_catch *c, struct vs_catch_counters *sum)
{
	__u32 key = 0;

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.counters), &key, c->percpu) < 0)
		return -errno;
	for (int i = 0; i < c->ncpus; i++) {
		for (int k = 0; k < VS_CATCH_CALL_COUNT; k++) {
			sum->hits[k] += c->percpu[i].hits[k];
			sum->other[k] += c->percpu[i].other[k];
		}
		sum->dropped += c->percpu[i].dropped;
	}
	return 0;
}

int vs_catch_count(struct vs_catch *c, void (*fn)(unsigned, int, void *), void *ud)
{
	struct vs_catch_count
	    buf[2048]; /* 16 KiB on the caller's stack: the scanner and the loop both count */
	int fd = bpf_iter_create(bpf_link__fd(c->skel->links.count_tasks));
	ssize_t n;
	size_t have = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, (char *)buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)n;
		size_t whole = have / sizeof(buf[0]);
		for (size_t i = 0; i < whole; i++)
			fn(buf[i].pid, buf[i].map_count, ud);
		have -= whole * sizeof(buf[0]);
		memmove(buf, (char *)buf + whole * sizeof(buf[0]), have);
	}
	int e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

int vs_catch_peak(struct vs_catch *c, unsigned pid, struct vs_catch_peak *p)
{
	__u32 key = pid;

	return bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.peaks), &key, p) < 0 ? -errno : 0;
}
int vs_catch_cgroups(struct vs_catch *c,
		     void (*fn)(unsigned long long, const unsigned long long *, void *), void *ud)
{
	int fd = bpf_map__fd(c->skel->maps.cgroup_hits);
	struct vs_catch_cgroup_hits *per = calloc((size_t)c->ncpus, sizeof(*per));
	__u64 key, next;
	void *prev = NULL;

	if (!per)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		unsigned long long sum[VS_CATCH_CALL_COUNT] = {0};
		if (bpf_map_lookup_elem(fd, &key, per) < 0)
			continue;
		for (int i = 0; i < c->ncpus; i++)
			for (int k = 0; k < VS_CATCH_CALL_COUNT; k++)
				sum[k] += per[i].hits[k];
		fn(key, sum, ud);
	}
	free(per);
	return 0;
}
#else
/* Without libbpf: catch.c answers every call. */
typedef int vs_catch_read_none;
#endif
