/* counters.h: per-worker counters (single writer, cache-line padded) and snapshots. */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

enum vs_op { VS_OP_MMAP, VS_OP_MPROTECT, VS_OP_MUNMAP, VS_OP_COUNT };
#define VS_ERRNO_SLOTS 8 /* see errnames.c */

struct vs_counters {
	_Atomic uint64_t ops[VS_OP_COUNT];
	_Atomic uint64_t punches;
	_Atomic uint64_t failures[VS_OP_COUNT][VS_ERRNO_SLOTS];
	_Atomic uint64_t enomem_map_count[VS_OP_COUNT]; /* our count said: at the limit */
	_Atomic uint64_t enomem_memory[VS_OP_COUNT];	/* headroom left: memory, not VMAs */
	_Atomic uint64_t mappings, mapped_bytes;	/* gauges */
	_Atomic uint64_t leaked_mappings, leaked_bytes; /* gauges */
	_Atomic uint64_t reclaimed_mappings, reclaimed_bytes;
	_Atomic uint64_t touched_pages;
	_Atomic uint64_t vmas_created; /* sum of the VMAs each call added */
	_Atomic uint64_t table_full, idle;
	_Atomic uint64_t progress; /* heartbeat */
	_Atomic uint64_t sequence; /* hash of the operation sequence (determinism) */
	_Atomic uint64_t events_dropped;
	_Atomic uint64_t first_enomem_ns[VS_OP_COUNT]; /* monotonic; 0 = not yet */
} __attribute__((aligned(64)));

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

struct vs_totals {
	uint64_t ops[VS_OP_COUNT], punches;
	uint64_t failures[VS_OP_COUNT][VS_ERRNO_SLOTS];
	uint64_t enomem_map_count[VS_OP_COUNT], enomem_memory[VS_OP_COUNT];
	uint64_t mappings, mapped_bytes, leaked_mappings, leaked_bytes;
	uint64_t reclaimed_mappings, reclaimed_bytes, touched_pages, vmas_created, table_full, idle;
	uint64_t progress, sequence, events_dropped;
	uint64_t first_enomem_ns[VS_OP_COUNT]; /* earliest over workers; 0 = never */
};

void vs_counters_sum(struct vs_totals *t, struct vs_counters *const *c, unsigned n);
const char *vs_op_name(enum vs_op op);
