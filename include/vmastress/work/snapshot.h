/* snapshot.h: one consistent, pointer-free view of the daemon for rendering. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/work/counters.h"

#define VS_SNAP_CTYPE_U64(f) uint64_t f;
#define VS_SNAP_CTYPE_LONG(f) long f;
#define VS_SNAP_CTYPE_DOUBLE(f) double f;
#define VS_SNAP_CTYPE_BOOL(f) bool f;
#define VS_SNAP_CTYPE_HEX(f) uint64_t f;
#define VS_SNAP_CTYPE_STRING(f) char f[VS_PROFILE_MAX];
#define VS_SNAP_DECL_SNAP(f, fmt) VS_SNAP_CTYPE_##fmt(f)
#define VS_SNAP_DECL_SUM(f, fmt)
#define VS_SNAP_DECL_XOR(f, fmt)
#define VS_SNAP_DECL(f, src, fmt, ...) VS_SNAP_DECL_##src(f, fmt)

/* The SNAP rows of stats.h, the summed counters, and the per-op first ENOMEM. */
struct vs_snapshot {
	VS_STATS(VS_SNAP_DECL)
	struct vs_totals t;
	double first_enomem[VS_OP_COUNT]; /* seconds after start; < 0: none yet */
};

/* A region that stayed mapped, as the report lists it. */
struct vs_leaked_region {
	unsigned worker;
	uintptr_t addr;
	size_t length, bytes;
};
/* Fills *out with the next leaked region; false when there is none. */
typedef bool (*vs_leak_next_fn)(void *userdata, struct vs_leaked_region *out);
