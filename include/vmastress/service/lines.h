/* lines.h: the journal lines about the load (lines.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/log/log.h"
#include "vmastress/output/report.h"
#include "vmastress/calls/events.h"
#include "vmastress/work/snapshot.h"

#define VS_ERRNO_SEEN_MAX 256 /* errno values are below this (glibc's largest is 133) */

/* The state of per-event lines across drains. */
struct vs_event_lines {
	uint64_t window_start, dropped; /* dropped: over the rate, for events_dropped */
	unsigned window_events;
	bool limit_reported; /* the first refusal at the limit: once per limit */
	bool seen[VS_OP_COUNT][VS_ERRNO_SEEN_MAX]; /* (op, errno) already written once */
};

/* One worker event: always the first of its (op, errno), else within per_second. */
void vs_lines_event(struct vs_event_lines *l, const struct vs_event *ev, unsigned per_second,
		    uint64_t now_usec);
/* One line with every count an operator needs (m: SUMMARY or STOP). */
void vs_lines_summary(enum vs_msg m, const char *what, const struct vs_snapshot *s);
/* With a demand, the verdict line; returns whether the demand was held (true without one). */
bool vs_lines_verdict(const struct vs_snapshot *s);

/* An output file (the textfile) written or not: counts a failure, keeps it said in
 * error (for STATUS=, the stats and check), and logs when it starts failing and
 * when it works again, not every time (the status and counters show the rest). */
void vs_lines_output(struct vs_output_state *o, int r, const char *path);
