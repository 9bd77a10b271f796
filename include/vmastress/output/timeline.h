/* timeline.h: the run over time, for the report's "timeline": a bounded series of
 * samples the loop takes from the snapshots it makes anyway (the workers do nothing). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/output/render.h"
#include "vmastress/work/snapshot.h"

/* At most this many samples whatever the run's length: when full, neighbours are
 * merged in pairs and the interval doubles (0.1 s, 0.2 s, ...: 60 s of a run at
 * 0.1 s, a day at 0.1 s << 11). About 100 KiB, static. */
#define VS_TIMELINE_MAX 600
#define VS_TIMELINE_FIRST_USEC 100000ULL

/* teardown: the last sample, after the run's regions were unmapped (what failed
 * in teardown is in it: the timeline's failures add up to the report's). */
enum vs_phase { VS_PHASE_BUILD, VS_PHASE_HOLD, VS_PHASE_CHURN, VS_PHASE_TEARDOWN, VS_PHASE_COUNT };
const char *vs_phase_name(enum vs_phase p);

struct vs_timeline_sample {
	double t;  /* seconds since the start */
	long vmas; /* the exact count, ballast included */
	uint64_t leaked_bytes;
	uint32_t failures[VS_OP_COUNT][VS_ERRNO_SLOTS]; /* since the sample before */
	/* Latency of the calls timed since the sample before, microseconds, by
	 * kind (stats.h VS_LAT_KINDS); < 0: none timed. Merged: the higher. */
	float p50_us[VS_LAT_KIND_COUNT], p99_us[VS_LAT_KIND_COUNT];
	uint8_t phase;
};

struct vs_timeline {
	struct vs_timeline_sample s[VS_TIMELINE_MAX];
	size_t n;
	uint64_t interval_usec;
	long ballast;
	uint64_t prev_failures[VS_OP_COUNT][VS_ERRNO_SLOTS];
	uint64_t prev_lat[VS_LAT_KIND_COUNT][VS_LAT_BUCKETS + 1];
};

void vs_timeline_init(struct vs_timeline *tl);
/* A sample of s at its uptime; returns the interval to the next, microseconds. */
uint64_t vs_timeline_add(struct vs_timeline *tl, const struct vs_snapshot *s, enum vs_phase phase);
/* ,"timeline":{...} into o (nothing for NULL). */
void vs_render_timeline(struct vs_textbuf *o, const struct vs_timeline *tl);
