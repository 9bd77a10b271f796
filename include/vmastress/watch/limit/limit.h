/* limit.h: the watch's one owner of vm.max_map_count. Every read and every write of
 * the limit in the watch, and the copy the BPF catch holds, go through it, under one
 * lock held only for a read or a write and its publication: a scan that read the
 * limit can never hand the catch an older value than a raise wrote after it. */
#pragma once
#include <pthread.h>

struct vs_watch_limit {
	pthread_mutex_t lock;
	const char *path; /* the sysctl; NULL: VS_SYSCTL_MAX_MAP_COUNT (tests: a file) */
	long value;	  /* as last read or written under the lock; 0: not yet */
	int err;	  /* the last read's -errno; 0 */
	/* Where the value goes once read or written (the BPF catch's copy); NULL: nowhere. */
	void (*publish)(void *to, long value);
	void *to;
	/* Tests: runs between a read and its publication, with the lock held. */
	void (*between)(void *arg);
	void *between_arg;
};

/* path NULL: the sysctl itself. publish (may be NULL) receives every value read or
 * written, in the order they happened. */
void vs_watch_limit_init(struct vs_watch_limit *l, const char *path,
			 void (*publish)(void *to, long value), void *to);
void vs_watch_limit_destroy(struct vs_watch_limit *l);
/* Read the limit now, publish it, keep it; 0 or -errno (the value kept unchanged). */
int vs_watch_limit_read(struct vs_watch_limit *l, long *value);
/* Write value to the sysctl, publish it, keep it; 0 or -errno (nothing published). */
int vs_watch_limit_write(struct vs_watch_limit *l, long value);
/* The value last read or written (0: never), without reading the sysctl. */
long vs_watch_limit_value(struct vs_watch_limit *l);
