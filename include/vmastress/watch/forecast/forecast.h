/* forecast.h: each process's climb and its time to the limit (forecast.c). The
 * scanner's thread feeds it every count it takes: each scan's, and between scans
 * the BPF iterator's every VS_FORECAST_TICK_MS (every VS_FORECAST_IDLE_TICK_MS while
 * none rises). A pass is begun, sampled and ended;
 * the decisions (the rate, the time left, whether to warn) are pure functions, as
 * systemd-oomd keeps its own in oomd-util.c. No allocation after init. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VS_FORECAST_TRACK 2048	      /* processes followed at once; the rest counted */
#define VS_FORECAST_TICK_MS 250	      /* the iterator's counts between scans (bpf), */
#define VS_FORECAST_IDLE_TICK_MS 1000 /* and while no process followed rises */
#define VS_FORECAST_SHORT_S 10.0      /* the short window: a spike */
#define VS_FORECAST_LONG_S 300.0      /* the long one: a slow leak */
#define VS_FORECAST_RING 12	      /* samples a window keeps: */
#define VS_FORECAST_SHORT_EVERY_S 1.0 /* the short one's at most every second */
#define VS_FORECAST_LONG_EVERY_S 30.0 /* the long one's every 30 s */
#define VS_FORECAST_WARNS_MAX 16      /* warnings a pass; the rest wait for the next */

struct vs_forecast_sample {
	double t; /* monotonic seconds */
	long v;
};

/* A window's samples, a ring: the oldest at (head - n) mod size. */
struct vs_forecast_ring {
	unsigned n, head;
	struct vs_forecast_sample s[VS_FORECAST_RING];
};

struct vs_forecast_proc {
	long pid, vmas;
	double t;      /* the last sample, monotonic seconds */
	unsigned seen; /* the pass that last counted it */
	struct vs_forecast_ring short_w, long_w;
	double rate;	   /* VMAs a second: the climb the forecast uses, else the short window's */
	double to_limit;   /* seconds until it reaches the limit; < 0: none (flat or falling) */
	double to_ceiling; /* and raise.ceiling (the limit when that is higher) */
	double flat_since; /* flat or falling since (monotonic seconds); 0: climbing */
	bool warned;	   /* its warning said in this climb */
};

/* The decisions, pure. */
/* The climb of a process now at (t, v) against a window's samples: the rate from the
 * oldest sample within span seconds (else the newest one kept), *rise the VMAs gained;
 * false when no sample is old enough (0.2 s) to tell. */
bool vs_forecast_window_rate(const struct vs_forecast_ring *r, double t, long v, double span,
			     double *rate, long *rise);
/* The rate to forecast with, from the short window's (rise_s in its span) and the
 * long one's: the short when it rose more than noise (vs_forecast_noise), else the
 * long one's when the short still rises at a quarter of its pace or more and the long
 * rose a hundredth of the limit (a slow leak, not a burst long ago); <= 0: flat or
 * falling, no forecast. */
long vs_forecast_noise(long limit);
double vs_forecast_climb(long limit, bool have_s, double rate_s, long rise_s, bool have_l,
			 double rate_l, long rise_l);
/* Seconds from v to level at rate; -1 when rate <= 0; 0 at or above it. */
double vs_forecast_eta(long v, long level, double rate);
/* Whether to warn now (once a climb): the time left is within warn_within (0: never).
 * *warned is set; it is cleared once the climb ended (ended: flat or falling for the
 * short window) or the time left grew past twice warn_within. */
bool vs_forecast_should_warn(double to_limit, unsigned warn_within, bool ended, bool *warned);

struct vs_forecast {
	long limit, ceiling;
	unsigned warn_within;
	unsigned pass;
	double now; /* this pass's time, monotonic seconds */
	unsigned n;
	unsigned climbing; /* processes followed that rose in the last pass, or are new */
	uint64_t overflow; /* processes above the floor not followed: the table was full */
	int index[2 * VS_FORECAST_TRACK]; /* pid -> slot + 1; 0 empty (linear probing) */
	struct vs_forecast_proc p[VS_FORECAST_TRACK];
	unsigned nwarn; /* this pass's warnings: slots */
	unsigned warn[VS_FORECAST_WARNS_MAX];
};

/* A pass of counts at now (monotonic seconds) against limit; ceiling: raise.ceiling;
 * warn_within: watch.warn_within (0: off). */
void vs_forecast_begin(struct vs_forecast *f, long limit, long ceiling, unsigned warn_within,
		       double now);
/* One process's count in this pass: followed from the floor (a 64th of the limit). */
void vs_forecast_sample(struct vs_forecast *f, long pid, long vmas);
/* The pass ended: processes not counted in it are forgotten (exited, or below the
 * floor); the ones to warn about are in f->warn. partial: a pass that did not count
 * every process (nothing is forgotten then). */
void vs_forecast_end(struct vs_forecast *f, bool partial);
/* A process's forecast; NULL: not followed. */
const struct vs_forecast_proc *vs_forecast_of(const struct vs_forecast *f, long pid);
/* The followed processes with a time to the limit, the soonest first, at most n. */
unsigned vs_forecast_soonest(const struct vs_forecast *f, const struct vs_forecast_proc **out,
			     unsigned n);
