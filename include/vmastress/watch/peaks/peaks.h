/* peaks.h: the highest VMA count the watch saw per systemd unit (or command, outside
 * units), with when, which pid, how often the unit was at 80 % and 95 % of the limit,
 * the failures caught, and what its mappings looked like: kept in
 * $STATE_DIRECTORY/peaks.json (else /var/lib/vmastress) across restarts. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/keys.h"

#define VS_PEAKS_MAX 256	    /* units kept; the oldest and least seen go first */
#define VS_PEAKS_FILE_MAX (1 << 20) /* a larger file is not ours */
#define VS_PEAKS_NAME_MAX 128

struct vs_peak {
	char unit[VS_PEAKS_NAME_MAX]; /* "" outside units: the command is the key */
	char comm[17];
	/* threads, files or allocator: what its mappings looked like */
	char shape[VS_SHAPE_NAME_MAX];
	long vmas, pid;
	double at, last_seen; /* realtime seconds */
	uint64_t scans, scans80, scans95, hits;
	double rate; /* the fastest climb the forecast measured of it, VMAs a second; 0: none */
	uint64_t last_scan; /* not stored */
	unsigned level;	    /* 1: counted at 80 % this scan, 2: at 95 % too (not stored) */
};

struct vs_peaks {
	double since; /* the start of the observation */
	unsigned n;
	struct vs_peak e[VS_PEAKS_MAX];
	bool dirty;
};

/* Load path into p (empty when it does not exist). A file that is not ours
 * (corrupt, truncated, too large, a symlink, another format) is renamed aside
 * to PATH.bad-EPOCH and p starts empty: returns 1 with why in msg. 0 loaded,
 * -errno when it cannot be read at all (p empty). */
int vs_peaks_load(struct vs_peaks *p, const char *path, double now, char *msg, size_t len);
/* Write atomically (PATH.tmp, fsync, rename), 0644. */
int vs_peaks_save(struct vs_peaks *p, const char *path);
/* One process at one scan: its unit (or "") and command, its count and peak. */
struct vs_peak *vs_peaks_note(struct vs_peaks *p, const char *unit, const char *comm, long pid,
			      long vmas, long limit, double at, double now, uint64_t scan);
/* A failure caught for that unit. */
void vs_peaks_hit(struct vs_peaks *p, const char *unit, const char *comm, long pid, long vmas,
		  double now);
/* The highest peak of all; NULL when none. */
const struct vs_peak *vs_peaks_top(const struct vs_peaks *p);
/* Judge a process's shape from its /proc/PID/maps, its first 65536 mappings (a bounded
 * sample): many guard pages beside stacks (threads), mostly file mappings (files),
 * else allocator. */
const char *vs_peaks_shape_of(long pid);
