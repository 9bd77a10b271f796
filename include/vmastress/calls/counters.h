/* counters.h: per-worker counters (single writer, cache-line padded) and their sum. */
#pragma once
#include <stdatomic.h>
#include <stdint.h>
#include "vmastress/stats.h"

#define VS_COUNTER_DECL_SUM(f, type) type f;
#define VS_COUNTER_DECL_XOR(f, type) type f;
#define VS_COUNTER_DECL_SNAP(f, type)
#define VS_COUNTER_DECL(f, src, ...) VS_COUNTER_DECL_##src(f, _Atomic uint64_t)
#define VS_TOTAL_DECL(f, src, ...) VS_COUNTER_DECL_##src(f, uint64_t)

/* The SUM and XOR rows of stats.h, then the families. */
struct vs_counters {
	VS_STATS(VS_COUNTER_DECL)
	_Atomic uint64_t ops[VS_OP_COUNT];
	_Atomic uint64_t failures[VS_OP_COUNT][VS_ERRNO_SLOTS];
	_Atomic uint64_t enomem[VS_CAUSE_COUNT][VS_OP_COUNT];
	_Atomic uint64_t first_enomem_ns[VS_OP_COUNT]; /* monotonic; 0 = not yet */
	_Atomic uint64_t call_failures[VS_CALLS_MAX];
	_Atomic uint64_t lat[VS_LAT_ROWS][VS_FILL_COUNT][VS_LAT_BUCKETS + 1];
	_Atomic uint64_t lat_sum_ns[VS_LAT_ROWS][VS_FILL_COUNT];
	_Atomic uint64_t lat_max_ns[VS_LAT_ROWS][VS_FILL_COUNT];
	/* This worker's first failed call: when (monotonic, 0 = none), the VMA
	 * count then (without ballast), and call << 24 | op << 16 | errno. */
	_Atomic uint64_t first_failure_ns, first_failure_vmas, first_failure_call;
} __attribute__((aligned(64)));

struct vs_totals {
	VS_STATS(VS_TOTAL_DECL)
	uint64_t ops[VS_OP_COUNT];
	uint64_t failures[VS_OP_COUNT][VS_ERRNO_SLOTS];
	uint64_t enomem[VS_CAUSE_COUNT][VS_OP_COUNT];
	uint64_t first_enomem_ns[VS_OP_COUNT]; /* earliest over workers; 0 = never */
	uint64_t call_failures[VS_CALLS_MAX];
	uint64_t lat[VS_LAT_ROWS][VS_FILL_COUNT][VS_LAT_BUCKETS + 1];
	uint64_t lat_sum_ns[VS_LAT_ROWS][VS_FILL_COUNT];
	uint64_t lat_max_ns[VS_LAT_ROWS][VS_FILL_COUNT]; /* the largest over workers */
	uint64_t first_failure_ns, first_failure_vmas, first_failure_call; /* the earliest */
};

/* Single-writer increment: no locked RMW on the hot path. */
static inline void vs_counter_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}
static inline void vs_counter_set(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}
static inline uint64_t vs_counter_get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void vs_counters_sum(struct vs_totals *t, struct vs_counters *const *c, unsigned n);
const char *vs_op_name(enum vs_op op);
const char *vs_enomem_cause_name(enum vs_enomem_cause cause);
const char *vs_lat_kind_name(enum vs_lat_kind kind);
const char *vs_fill_band_name(enum vs_fill_band band);
/* The bound (seconds) of the bucket where quantile q (0..1) of a histogram
 * falls; the largest seen for the +Inf bucket; -1 when it is empty. */
double vs_lat_quantile(const uint64_t b[VS_LAT_BUCKETS + 1], uint64_t max_ns, double q);

/* The bucket of a duration: the first whose bound (250 ns << b) holds it. */
static inline unsigned vs_lat_bucket(uint64_t ns)
{
	if (ns <= VS_LAT_FIRST_NS)
		return 0;
	unsigned b = 64u - (unsigned)__builtin_clzll((ns - 1) / VS_LAT_FIRST_NS);
	return b < VS_LAT_BUCKETS ? b : VS_LAT_BUCKETS;
}
