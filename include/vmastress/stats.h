/* stats.h: every value the daemon exports, once: field, JSON key, metric, type, help.
 * Header-only: the daemon's counters, snapshot and renderers and vmastressctl all
 * expand these tables, so a value has one name from the worker to the client. */
#pragma once

/* The calls counted per operation (label op). */
#define VS_OPS(X) X(MMAP, "mmap") X(MPROTECT, "mprotect") X(MUNMAP, "munmap")
#define VS_OP_ENUM(id, name) VS_OP_##id,
enum vs_op { VS_OPS(VS_OP_ENUM) VS_OP_COUNT };

/* Why an ENOMEM happened: the kernel gives one errno for both (label cause). */
#define VS_ENOMEM_CAUSES(X) X(MAP_COUNT, "map_count") X(MEMORY, "memory")
#define VS_CAUSE_ENUM(id, name) VS_CAUSE_##id,
enum vs_enomem_cause { VS_ENOMEM_CAUSES(VS_CAUSE_ENUM) VS_CAUSE_COUNT };

/* Calls as a shape names them: one per op, and one more (the allocator's decommit
 * is an mprotect of its own kind). */
#define VS_CALLS_MAX (VS_OP_COUNT + 1)

/* Latency histograms: by kind of call and by how full the limit was as it went
 * out (below 50 %, 50-90 %, at or above 90 %); buckets of 250 ns doubling up
 * to 131 ms, then +Inf. */
#define VS_LAT_KINDS(X)                                                                            \
	X(MMAP, "mmap") X(MPROTECT, "mprotect") X(MUNMAP, "munmap") X(PUNCH, "punch")
#define VS_LAT_ENUM(id, name) VS_LAT_##id,
enum vs_lat_kind { VS_LAT_KINDS(VS_LAT_ENUM) VS_LAT_KIND_COUNT };
#define VS_FILL_BANDS(X) X(LOW, "low") X(MID, "mid") X(HIGH, "high")
#define VS_FILL_ENUM(id, name) VS_FILL_##id,
enum vs_fill_band { VS_FILL_BANDS(VS_FILL_ENUM) VS_FILL_COUNT };
/* Histogram rows: one per kind, then one per call slot (the shape's names). */
#define VS_LAT_ROWS (VS_LAT_KIND_COUNT + VS_CALLS_MAX)
#define VS_LAT_BUCKETS 20 /* finite ones; one more for +Inf */
#define VS_LAT_FIRST_NS 250

/* The longest STRING value, NUL included: a host name, a kernel release, an error line. */
#define VS_SNAP_STRING_MAX 160

/* Counter slots for errnos (log/errnames.c): the ones these calls return, then "other". */
#define VS_ERRNO_SLOTS 8

enum vs_stat_format {
	VS_FMT_U64,
	VS_FMT_LONG,
	VS_FMT_DOUBLE,
	VS_FMT_BOOL,
	VS_FMT_HEX,
	VS_FMT_STRING
};
#define VS_STAT_LIKE 1u	   /* two runs compare like for like only when these match */
#define VS_STAT_COMPARE 2u /* a row of `vmastressctl compare` */
/* A series the watch daemon writes too: labelled daemon="load" here and
 * daemon="watch" there, with the same HELP, so both textfiles can share
 * node_exporter's directory without a duplicate series. */
#define VS_STAT_SHARED 4u

/*
 * X(field, source, format, json, metric, type, flags, help), in JSON order.
 * source SUM: a per-worker counter (single writer), summed on snapshot; XOR:
 * per worker, combined independently of order; SNAP: filled by the engine or
 * the loop. json: a dotted path ("leaks.bytes", a group's rows consecutive),
 * NULL: not in the JSON. metric: the name after "vmastress_", NULL: none; a
 * STRING with a metric is an info metric (label = the JSON key, value 1).
 */
#define VS_STATS(X)                                                                                \
	X(version, SNAP, STRING, "version", "build_info", gauge, VS_STAT_LIKE | VS_STAT_SHARED,    \
	  "Build information; always 1.")                                                          \
	X(host, SNAP, STRING, "host", NULL, gauge, 0, "")                                          \
	X(kernel_release, SNAP, STRING, "kernel_release", NULL, gauge, 0, "")                      \
	X(pid, SNAP, LONG, "pid", NULL, gauge, 0, "")                                              \
	X(uptime_seconds, SNAP, DOUBLE, "uptime_seconds", NULL, gauge, VS_STAT_COMPARE, "")        \
	X(start_time_seconds, SNAP, DOUBLE, "start_time_seconds", "start_time_seconds", gauge,     \
	  VS_STAT_SHARED, "Start time of the daemon, seconds since the epoch.")                    \
	X(seed, SNAP, U64, "seed", NULL, gauge, VS_STAT_LIKE, "")                                  \
	X(shape, SNAP, STRING, "shape", NULL, gauge, VS_STAT_LIKE, "")                             \
	/* shape's old name, served beside it for one release */                                   \
	X(profile, SNAP, STRING, "profile", NULL, gauge, 0, "")                                    \
	X(workers, SNAP, U64, "workers", "workers", gauge, VS_STAT_LIKE,                           \
	  "Worker threads running.")                                                               \
	X(max_map_count, SNAP, LONG, "max_map_count", "vma_limit", gauge,                          \
	  VS_STAT_COMPARE | VS_STAT_SHARED, "vm.max_map_count as last read.")                      \
	X(map_count, SNAP, LONG, "map_count", "vmas", gauge, 0,                                    \
	  "VMAs of the daemon now, by its exact count (never above the limit + 1).")               \
	X(map_count_proc, SNAP, LONG, "map_count_proc", "vmas_proc", gauge, 0,                     \
	  "VMAs of the daemon at the last read of /proc/self/maps.")                               \
	X(map_count_proc_age_seconds, SNAP, DOUBLE, "map_count_proc_age_seconds", NULL, gauge, 0,  \
	  "")                                                                                      \
	X(map_count_peak, SNAP, LONG, "map_count_peak", "vmas_peak", gauge, VS_STAT_COMPARE,       \
	  "Highest VMA count reached.")                                                            \
	X(vma_cap, SNAP, LONG, "vma_cap", NULL, gauge, 0, "")                                      \
	X(rss_max_bytes, SNAP, U64, "rss_max_bytes", "rss_max_bytes", gauge, VS_STAT_COMPARE,      \
	  "The daemon's highest resident set since start (VmHWM).")                                \
	/* The one RSS-per-VMA figure (docs/cost.md): rss_max_bytes over map_count_peak */         \
	X(rss_per_vma_bytes, SNAP, DOUBLE, "rss_per_vma_bytes", NULL, gauge, VS_STAT_COMPARE, "")  \
	X(ballast_vmas, SNAP, LONG, "ballast_vmas", "ballast_vmas", gauge, VS_STAT_COMPARE,        \
	  "VMAs of ballast holding the emulated limit (0: none).")                                 \
	/* ballast_vmas under the JSON's one name for a count; both served this release */       \
	X(ballast_map_count, SNAP, LONG, "ballast_map_count", NULL, gauge, 0, "")                  \
	X(demand_vmas, SNAP, LONG, NULL, "demand_vmas", gauge, 0,                                  \
	  "VMAs the workload needs (pressure.demand; 0: a run relative to the limit).")            \
	X(demand_held, SNAP, BOOL, NULL, "demand_held", gauge, 0,                                  \
	  "1 while the demand was reached and no call failed.")                                    \
	X(emulated_limit, SNAP, LONG, NULL, "emulated_limit", gauge, 0,                            \
	  "The vm.max_map_count the run emulates (0: the kernel's).")                              \
	X(mappings, SUM, U64, "mappings", "mappings", gauge, 0,                                    \
	  "Regions currently mapped by the workers (not leaked).")                                 \
	X(mapped_bytes, SUM, U64, "mapped_bytes", "mapped_bytes", gauge, 0,                        \
	  "Bytes currently mapped by the workers (not leaked).")                                   \
	X(leaked_mappings, SUM, U64, "leaks.mappings", "leaked_mappings", gauge, VS_STAT_COMPARE,  \
	  "Regions whose munmap failed and that are still mapped.")                                \
	X(leaked_bytes, SUM, U64, "leaks.bytes", "leaked_bytes", gauge, VS_STAT_COMPARE,           \
	  "Bytes still mapped because munmap failed.")                                             \
	X(reclaimed_mappings, SUM, U64, "leaks.reclaimed_mappings", NULL, counter,                 \
	  VS_STAT_COMPARE, "")                                                                     \
	X(reclaimed_bytes, SUM, U64, "leaks.reclaimed_bytes", "leak_reclaimed_bytes_total",        \
	  counter, VS_STAT_COMPARE, "Leaked bytes unmapped by a later retry.")                     \
	X(punches, SUM, U64, "punches", NULL, counter, 0, "")                                      \
	X(touched_pages, SUM, U64, "touched_pages", NULL, counter, 0, "")                          \
	X(vmas_created, SUM, U64, "vmas_created", "vmas_created_total", counter, VS_STAT_COMPARE,  \
	  "VMAs added by the workers' calls (how hard they churn).")                               \
	X(held_or_idle, SUM, U64, "held_or_idle", NULL, counter, 0, "")                            \
	X(table_full, SUM, U64, "table_full", "regions_table_full_total", counter, 0,              \
	  "Maps not made because the preallocated region table or arena was full.")                \
	X(events_lost, SUM, U64, NULL, NULL, counter, 0, "")                                       \
	X(events_dropped, SNAP, U64, "events_dropped", "log_events_dropped_total", counter, 0,     \
	  "Per-event log entries not written: over the rate limit or the ring full.")              \
	X(clients_rejected, SNAP, U64, "clients_rejected", "clients_rejected_total", counter, 0,   \
	  "Stats clients turned away: busy, too long, silent or bad requests.")                    \
	X(clients_evicted, SNAP, U64, "clients_evicted", "clients_evicted_total", counter, 0,      \
	  "Silent stats clients closed to make room for a new one (pool full).")                   \
	X(progress, SUM, U64, NULL, NULL, counter, 0, "")                                          \
	X(sequence, XOR, HEX, "sequence", NULL, gauge, 0, "")                                      \
	X(verifications, SNAP, U64, "accounting.verifications", "verifications_total", counter, 0, \
	  "Comparisons of the internal count with /proc.")                                         \
	X(drift_events, SNAP, U64, "accounting.drift_events", NULL, counter, 0, "")                \
	X(drift_last, SNAP, LONG, "accounting.drift_last", "vmas_drift", gauge, 0,                 \
	  "/proc minus predicted VMAs at the last verification.")                                  \
	X(drift_max, SNAP, LONG, "accounting.drift_max", NULL, gauge, 0, "")                       \
	X(exact_probe, SNAP, BOOL, "accounting.exact_probe", NULL, gauge, 0, "")                   \
	X(limit_changes, SNAP, U64, "accounting.limit_changes", NULL, counter, 0, "")              \
	X(textfile_failures, SNAP, U64, "outputs.textfile_failures", "textfile_failures_total",    \
	  counter, 0, "Textfile writes that failed (stats.textfile).")                             \
	X(textfile_failing, SNAP, BOOL, "outputs.textfile_failing", "textfile_failing", gauge,     \
	  VS_STAT_SHARED, "1 while the last textfile write failed.")                               \
	X(textfile_error, SNAP, STRING, "outputs.textfile_error", NULL, gauge, 0, "")

#define VS_STAT_ENUM(f, ...) VS_STAT_##f,
enum vs_stat { VS_STATS(VS_STAT_ENUM) VS_STAT_COUNT };

/*
 * Families with labels, after the scalars. X(id, json, metric, flags, help).
 * OPS [op]: "ops.mmap", ops_total{op}. FAILURES [op][errno slot]:
 * "failures.munmap.ENOMEM" (ENOMEM always, others when non-zero),
 * failures_total{op,errno}. ENOMEM [cause][op]: "enomem.map_count.munmap",
 * enomem_total{op,cause}. FIRST_ENOMEM [op]: seconds from start, null if none.
 * CALLS [call]: "call_failures.commit", call_failures_total{call}, for the calls
 * the shape names.
 */
#define VS_STAT_FAMILIES(X)                                                                        \
	X(OPS, "ops", "ops_total", VS_STAT_COMPARE, "Calls made, by operation.")                   \
	X(FAILURES, "failures", "failures_total", VS_STAT_COMPARE,                                 \
	  "Failed calls, by operation and errno.")                                                 \
	X(ENOMEM, "enomem", "enomem_total", VS_STAT_COMPARE,                                       \
	  "ENOMEM failures by operation and cause (map_count: the VMA limit; memory).")            \
	X(FIRST_ENOMEM, "first_enomem_seconds", NULL, VS_STAT_COMPARE, "")                         \
	X(CALLS, "call_failures", "call_failures_total", VS_STAT_COMPARE,                          \
	  "Failed calls by what they are to the workload shape (guard page, commit, decommit).")

/* The verdict object (with a demand; null without): its key and members. */
#define VS_VERDICT "verdict"
#define VS_VERDICT_KEYS(X)                                                                         \
	X(demand)                                                                                  \
	X(limit)                                                                                   \
	X(emulated_limit)                                                                          \
	X(held) X(headroom) X(first_failure) X(time_to_demand_seconds) X(reached_limit)

#define VS_FAMILY_ENUM(id, ...) VS_FAMILY_##id,
enum vs_stat_family { VS_STAT_FAMILIES(VS_FAMILY_ENUM) VS_FAMILY_COUNT };
