/* snapshot.h: one consistent, pointer-free view of the daemon for rendering. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/model/kmem.h"
#include "vmastress/calls/counters.h"

#define VS_SNAP_CTYPE_U64(f) uint64_t f;
#define VS_SNAP_CTYPE_LONG(f) long f;
#define VS_SNAP_CTYPE_DOUBLE(f) double f;
#define VS_SNAP_CTYPE_BOOL(f) bool f;
#define VS_SNAP_CTYPE_HEX(f) uint64_t f;
#define VS_SNAP_CTYPE_STRING(f) char f[VS_SNAP_STRING_MAX];
#define VS_SNAP_DECL_SNAP(f, fmt) VS_SNAP_CTYPE_##fmt(f)
#define VS_SNAP_DECL_SUM(f, fmt)
#define VS_SNAP_DECL_XOR(f, fmt)
#define VS_SNAP_DECL(f, src, fmt, ...) VS_SNAP_DECL_##src(f, fmt)

/* Does this host's limit hold the workload? Only with a demand (demand_vmas > 0). */
struct vs_verdict {
	long limit;    /* the kernel's */
	long headroom; /* (emulated) limit - demand; < 0: a deficit */
	bool reached_limit;
	bool has_first_failure;
	long first_failure_vmas; /* without the ballast */
	int first_failure_op, first_failure_errno;
	double first_failure_seconds;
	const char *first_failure_call; /* what the call is to the shape's consumer */
	double time_to_demand_seconds;	/* < 0: not reached */
};

/* Why a run cannot reach the limit (or its demand), and the bound that stops it. */
enum vs_unreachable { VS_REACHABLE, VS_UNREACHABLE_MEMCG, VS_UNREACHABLE_TABLE };
struct vs_limit_unreachable {
	enum vs_unreachable why;
	long bound;	      /* VMAs the run can hold at most (without ballast) */
	uint64_t memcg_bytes; /* VS_UNREACHABLE_MEMCG: the cgroup's limit */
};

/* What the run's VMAs cost the kernel: slab bytes since start (kmem.h). */
struct vs_kernel_cost {
	bool known;
	enum vs_kmem_source source; /* kmem.h: memcg exact, slabinfo host-wide, meminfo estimate */
	uint64_t vma_bytes, vma_bytes_peak;
	double bytes_per_vma;  /* < 0: too few VMAs yet to say */
	double at_limit_bytes; /* what a process at the limit would pin; < 0: unknown */
};

/* The SNAP rows of stats.h, the summed counters, the per-op first ENOMEM, the verdict. */
struct vs_snapshot {
	VS_STATS(VS_SNAP_DECL)
	struct vs_totals t;
	double first_enomem[VS_OP_COUNT]; /* seconds after start; < 0: none yet */
	struct vs_verdict verdict;
	struct vs_limit_unreachable unreachable;
	const char *call_names[VS_CALLS_MAX]; /* the shape's (static), NULL: unnamed */
	struct vs_kernel_cost kernel;
};

/* A region that stayed mapped, as the report lists it. */
struct vs_leaked_region {
	unsigned worker;
	uintptr_t addr;
	size_t length, bytes;
};
/* Fills *out with the next leaked region; false when there is none. */
typedef bool (*vs_leak_next_fn)(void *userdata, struct vs_leaked_region *out);
