/* events.h: per-worker lock-free event ring: workers push, the main loop drains. */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

enum vs_event_kind {
	VS_EVENT_FAILURE,   /* a call failed (no leak) */
	VS_EVENT_LEAK,	    /* munmap failed: region stays mapped */
	VS_EVENT_RECLAIMED, /* a leaked region was unmapped on retry */
};

struct vs_event {
	uint8_t kind, op;
	int16_t err;
	uint16_t worker;
	uintptr_t addr;
	uint64_t length;
	long map_count, max_map_count;
	uint64_t leaked_bytes;
};

#define VS_EVENT_RING 256 /* power of two */

struct vs_event_ring {
	_Atomic uint64_t head; /* written by the worker */
	_Atomic uint64_t tail; /* written by the reader */
	struct vs_event ev[VS_EVENT_RING];
};

/* Producer side; returns 0 or -ENOSPC (the caller counts the drop). */
static inline int vs_event_push(struct vs_event_ring *r, const struct vs_event *e)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (h - t >= VS_EVENT_RING)
		return -28; /* ENOSPC */
	r->ev[h & (VS_EVENT_RING - 1)] = *e;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return 0;
}

/* Consumer side; returns 1 when an event was taken. */
static inline int vs_event_pop(struct vs_event_ring *r, struct vs_event *e)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	if (t == h)
		return 0;
	*e = r->ev[t & (VS_EVENT_RING - 1)];
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return 1;
}
