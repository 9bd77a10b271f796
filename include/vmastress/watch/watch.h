/* watch.h: host watch mode: every process's VMA count against vm.max_map_count,
 * the top N, the threshold counts, and which sysctl.d file sets the limit. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/watch/limit/sysctld.h"
#include "vmastress/watch/names/unit.h"
#include "vmastress/watch/names/workload.h"

struct vs_catch;

#define VS_WATCH_TOP_MAX VS_WATCH_TOP_KEEP
#define VS_WATCH_TRACK_MAX 1024	  /* processes above the lowest threshold followed */
#define VS_WATCH_CROSSINGS_MAX 10 /* journal entries a scan, the rest counted */

/* Why a process was not counted. */
#define VS_WATCH_SKIPS(X)                                                                          \
	X(EXITED, "exited")                                                                        \
	X(PERMISSION, "permission") X(KERNEL_THREAD, "kernel_thread") X(ERROR, "error")
#define VS_WATCH_SKIP_ENUM(id, name) VS_WATCH_SKIP_##id,
enum vs_watch_skip { VS_WATCH_SKIPS(VS_WATCH_SKIP_ENUM) VS_WATCH_SKIP_COUNT };

/* Fill thresholds, percent of the limit: a process at or above counts. */
#define VS_WATCH_THRESHOLDS(X) X(50) X(80) X(95)
#define VS_WATCH_THRESHOLD_COUNT 3

struct vs_watch_proc {
	long pid;
	long vmas;
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX]; /* the systemd unit from /proc/PID/cgroup; "" none */
	struct vs_workload workload;  /* what an operator calls it (workload.h) */
	bool load;		      /* a vmastress load daemon: near the limit on purpose */
	long peak;	/* the most VMAs seen: the kernel's high-water mark (bpf), or the scans' */
	double peak_at; /* when, realtime seconds */
	/* its mappings judged (threads, files, allocator); "" not judged */
	char shape[VS_SHAPE_NAME_MAX];
	/* The forecast (forecast.h), when it follows the process: its climb a second, and
	 * the seconds to the limit and to raise.ceiling (< 0: flat or falling). */
	bool foreseen;
	double rate_per_s, to_limit, to_ceiling;
};

/* A climbing process, for the list of the soonest to reach the limit. */
struct vs_watch_soon {
	long pid, vmas;
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX];
	struct vs_workload workload;
	double rate_per_s, to_limit, to_ceiling; /* to_ceiling < 0: none */
};

struct vs_crossing {
	long pid, vmas;
	unsigned threshold; /* percent */
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX];
	struct vs_workload workload;
};

/* One scan's figures: what the loop needs of a scan, and a client sees (the scan's
 * own carry-over from scan to scan is scan/scan.h's struct vs_scan). */
struct vs_watch {
	unsigned top_n;
	long limit;
	uint64_t processes, vmas, scans;
	uint64_t skipped[VS_WATCH_SKIP_COUNT];
	uint64_t above[VS_WATCH_THRESHOLD_COUNT];
	double scan_seconds, scanned_at; /* realtime seconds; 0 = never */
	unsigned ntop;
	struct vs_watch_proc top[VS_WATCH_TOP_MAX];
	struct vs_sysctl_source sysctl;
	/* Threshold crossings of this scan (upward, against the previous scan). */
	unsigned ncrossings;
	uint64_t crossings_suppressed;
	struct vs_crossing crossings[VS_WATCH_CROSSINGS_MAX];
	uint64_t track_overflow; /* processes at a threshold not followed (too many) */
	int limit_err, scan_err; /* the last scan's -errno reading the limit, /proc; 0 */
	int hook_err;		 /* the last failed attach or detach of the exit hook; 0 */
	bool bpf;		 /* counted by the catch's iterator; else from /proc */
	/* The forecast: the processes with the least time to the limit, the soonest
	 * first (at most top_n), refreshed between scans from the iterator's counts. */
	unsigned nsoon;
	struct vs_watch_soon soon[VS_WATCH_TOP_MAX];
	double foreseen_at;	    /* when, realtime seconds; 0 = never */
	unsigned warn_within;	    /* watch.warn_within as the forecast runs */
	uint64_t forecast_overflow; /* processes above its floor it could not follow */
};

extern const unsigned vs_watch_thresholds[VS_WATCH_THRESHOLD_COUNT];
const char *vs_watch_skip_name(unsigned s); /* enum vs_watch_skip */
