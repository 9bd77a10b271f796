/* keys.h: the configuration's layout, a leaf: the core's key rows (the only place a
 * key is spelled), struct vs_config, the key ids and the row type. The owner that
 * loads, checks and prints a configuration is config/config.h; a shape declares
 * its own rows on these types (shapes/shape.h) and needs nothing of the owner's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/interface.h"
#include "vmastress/registry.h"

/* Hard bounds, documented in vmastressd.conf(5). */
#define VS_WORKERS_MAX 256	   /* threads serialize on mmap_lock: more only adds stacks */
#define VS_PAGES_MAX 65536	   /* 256 MiB regions at 4 KiB pages: far past any allocator's */
#define VS_SEPARATOR_MAX 64	   /* separator pages per region; glibc stacks have one guard */
#define VS_WEIGHT_MAX 1000000	   /* weights are summed in 64 bits; this keeps them readable */
#define VS_RESERVE_MAX 1000000	   /* VMAs kept for the daemon; above any limit's 10 % */
#define VS_DURATION_MAX_S 31536000 /* one year: anything longer is "until stopped" (0) */
#define VS_INTERVAL_MAX_MS 3600000 /* one hour */
#define VS_INTERVAL_MAX_S 86400	   /* one day */
#define VS_RAISE_CEILING_MIN 65530 /* the kernel's default: a ceiling below it lowers nothing */
#define VS_RAISE_CEILING_MAX 2147483647L /* the sysctl is an int */
#define VS_LOG_RATE_MAX 100000		 /* per second: the journal's own rate limit is lower */
#define VS_WATCH_EVENTS_MAX 256	 /* watch.events_kept at most: the stats JSON holds them all */
#define VS_WATCH_TOP_KEEP 100	 /* watch.top: bounded label cardinality */
#define VS_DEMAND_MAX 2147483647 /* above SteamOS's 2147483642 */
#define VS_EMULATE_MIN 1024	 /* the daemon itself holds about a hundred VMAs */
/* Ballast VMAs at most: about 228 MiB of kernel memory at 228 B each, enough to
 * emulate 65530 on a host at 1048576. */
#define VS_BALLAST_MAX 1048576
/* vm_area_struct, maple tree and anon_vma slab per VMA, measured at 1048576 VMAs
 * on kernel 6.18: for estimates only (work/ measures the host's own). */
#define VS_KERNEL_BYTES_PER_VMA 228L
/* One call in 8 timed costs ~1 % of the op rate (every call: ~10 % here); past
 * 1000 the histograms fill too slowly to say anything. */
#define VS_LATENCY_SAMPLE_MAX 1000
#define VS_SHAPE_NAME_MAX 16
#define VS_PATH_MAX 108 /* sun_path */
#define VS_TEXTFILE_MAX 256

enum vs_key_type { VS_KEY_UINT, VS_KEY_SEED, VS_KEY_FILL, VS_KEY_STRING };
/* Keys a reload cannot change: the running value stays (the PRNG streams, the
 * socket the monitoring connects to, the timer set at start). */
#define VS_KEY_FROZEN 1u
/* A STRING key that must be an absolute path (when set). */
#define VS_KEY_ABSOLUTE 2u
/* A STRING key a file may also give as a list of strings: kept space-separated. */
#define VS_KEY_LIST 4u

/*
 * X(field, path, type, min, max, default, flags, choices, doc): one row per key,
 * the only place a key is spelled. It declares the field of struct vs_config and
 * drives parsing, validation with FILE:LINE, `-t` printing, the defaults and
 * shape presets (daemon/shapes/ set keys by their VS_KEY_ id). A group's
 * keys ("group.name") are consecutive. STRING: max is the buffer size, choices
 * its accepted values, "a|b" (NULL: any). A shape's own keys are rows of the
 * same form in the shape's file.
 */
#define VS_CONFIG_KEYS(X)                                                                          \
	X(workers, "workers", UINT, 1, VS_WORKERS_MAX, 2, 0, NULL, "worker threads")               \
	X(seed, "seed", SEED, 0, 0, 0, VS_KEY_FROZEN, NULL, "PRNG seed; 0 = pick one at start")    \
	X(duration, "duration", UINT, 0, VS_DURATION_MAX_S, 0, VS_KEY_FROZEN, NULL,                \
	  "seconds to run, then tear down and exit; 0 = until stopped")                            \
	X(shape, "shape", STRING, 0, VS_SHAPE_NAME_MAX, "guarded", 0, NULL,                        \
	  "the workload shape whose presets the other keys start from (`profile`: an alias)")      \
	X(mapping_min_pages, "mapping.min_pages", UINT, 1, VS_PAGES_MAX, 1, 0, NULL,               \
	  "data pages per region, lower bound")                                                    \
	X(mapping_max_pages, "mapping.max_pages", UINT, 1, VS_PAGES_MAX, 64, 0, NULL,              \
	  "data pages per region, upper bound")                                                    \
	X(mapping_separator_pages, "mapping.separator_pages", UINT, 0, VS_SEPARATOR_MAX, 1, 0,     \
	  NULL, "PROT_NONE pages below each region; 0 lets neighbours merge")                      \
	X(mapping_touch_pages, "mapping.touch_pages", UINT, 0, VS_PAGES_MAX, 0, 0, NULL,           \
	  "data pages written after mapping")                                                      \
	X(ops_mmap, "ops.mmap", UINT, 0, VS_WEIGHT_MAX, 40, 0, NULL, "weight: map a new region")   \
	X(ops_mprotect, "ops.mprotect", UINT, 0, VS_WEIGHT_MAX, 30, 0, NULL,                       \
	  "weight: flip a sub-range between RW and read-only")                                     \
	X(ops_munmap, "ops.munmap", UINT, 0, VS_WEIGHT_MAX, 30, 0, NULL,                           \
	  "weight: unmap a whole region")                                                          \
	X(ops_punch, "ops.punch", UINT, 0, VS_WEIGHT_MAX, 0, 0, NULL,                              \
	  "weight: unmap a hole inside a region")                                                  \
	X(pressure_target_fill, "pressure.target_fill", FILL, 0, 0, 0.9, 0, NULL,                  \
	  "hold the VMA count at this fraction of vm.max_map_count")                               \
	X(pressure_reserve, "pressure.reserve", UINT, 0, VS_RESERVE_MAX, 512, 0, NULL,             \
	  "VMAs always left for the daemon itself")                                                \
	X(pressure_demand, "pressure.demand", UINT, 1, VS_DEMAND_MAX, 0, VS_KEY_FROZEN, NULL,      \
	  "VMAs the workload needs, whatever the limit: build them, hold them, give a verdict; "   \
	  "unset = relative to the limit (target_fill)")                                           \
	X(pressure_emulate_limit, "pressure.emulate_limit", UINT, VS_EMULATE_MIN, VS_DEMAND_MAX,   \
	  0, VS_KEY_FROZEN, NULL,                                                                  \
	  "run as if vm.max_map_count were this (ballast VMAs hold the rest); unset = off")        \
	X(leaks_retry_interval_ms, "leaks.retry_interval_ms", UINT, 10, VS_INTERVAL_MAX_MS, 1000,  \
	  0, NULL, "retry unmapping leaked regions this often")                                    \
	X(stats_socket, "stats.socket", STRING, 0, VS_PATH_MAX, VS_DEFAULT_SOCKET, VS_KEY_FROZEN,  \
	  NULL, "the stats socket: an absolute path, or \"none\"")                                 \
	X(stats_textfile, "stats.textfile", STRING, 0, VS_TEXTFILE_MAX, "", 0, NULL,               \
	  "metrics file for node_exporter's textfile collector; unset = off")                      \
	X(stats_textfile_interval, "stats.textfile_interval", UINT, 1, VS_INTERVAL_MAX_S, 15, 0,   \
	  NULL, "seconds between textfile rewrites")                                               \
	X(watch_enabled, "watch.enabled", UINT, 0, 1, 0, VS_KEY_FROZEN, NULL,                      \
	  "1 = watch mode (--watch): no load; every process's VMAs counted against the limit")     \
	X(watch_interval, "watch.interval", UINT, 1, VS_INTERVAL_MAX_S, 30, 0, NULL,               \
	  "watch mode: seconds between scans of every process")                                    \
	X(watch_top, "watch.top", UINT, 1, VS_WATCH_TOP_KEEP, 10, 0, NULL,                         \
	  "watch mode: processes listed by VMA count (the metrics' label cardinality)")            \
	X(watch_backend, "watch.backend", STRING, 0, 8, "auto", VS_KEY_FROZEN, "auto|bpf|proc",    \
	  "watch mode: auto (BPF where it loads, else the /proc scan), bpf or proc")               \
	X(watch_catch, "watch.catch", STRING, 0, 8, "near", 0, "near|always",                      \
	  "watch mode, BPF on a tracepoint: attach the exit hook only while a process is near "    \
	  "the limit (near), or always (fexit is always attached)")                                \
	X(watch_catch_from, "watch.catch_from", FILL, 0, 0, 0.0625, 0, NULL,                       \
	  "watch mode: the fill of the limit from which a process is near (catch = near)")         \
	X(watch_events_kept, "watch.events_kept", UINT, 1, VS_WATCH_EVENTS_MAX, 256, 0, NULL,      \
	  "watch mode: recent caught failures kept for `vmastressctl events`")                     \
	X(watch_workloads, "watch.workloads", UINT, 1, VS_WATCH_TOP_KEEP, 16, 0, NULL,             \
	  "watch mode: workloads labelled in the metrics by peak; the rest summed as other")       \
	X(watch_host_root, "watch.host_root", STRING, 0, VS_PATH_MAX, "/", VS_KEY_ABSOLUTE, NULL,   \
	  "watch mode: where the host's / is (a container mounts it, read-only): the sysctl.d "    \
	  "files and dpkg's lists are read under it")                                              \
	X(watch_warn_within, "watch.warn_within", UINT, 0, VS_INTERVAL_MAX_S, 600, 0, NULL,        \
	  "watch mode: a journal entry when a process's time to the limit, at its climb, first "   \
	  "falls within this many seconds (once a climb); 0 = off")                                \
	X(raise_enabled, "raise.enabled", UINT, 0, 1, 0, 0, NULL,                                  \
	  "watch mode: 1 = raise vm.max_map_count before a process reaches it (opt-in)")           \
	X(raise_at, "raise.at", FILL, 0, 0, 0.90, 0, NULL,                                         \
	  "watch mode: the fill of the running limit whose crossing raises it; below 1")           \
	X(raise_ceiling, "raise.ceiling", UINT, VS_RAISE_CEILING_MIN, VS_RAISE_CEILING_MAX,        \
	  1048576, 0, NULL, "watch mode: never raise vm.max_map_count above this")                 \
	X(raise_kernel_budget, "raise.kernel_budget", STRING, 0, 24, "2%", 0, NULL,                \
	  "watch mode: the most kernel memory one process at the new limit may pin: a share "      \
	  "of MemTotal (\"2%\") or bytes (\"268435456\", \"256M\", \"1G\")")                       \
	X(raise_min_interval, "raise.min_interval", UINT, 0, VS_INTERVAL_MAX_S, 10, 0, NULL,       \
	  "watch mode: seconds before a step not taken (dry-run, refused) is tried again")         \
	X(raise_dry_run, "raise.dry_run", UINT, 0, 1, 0, 0, NULL,                                  \
	  "watch mode: log and count the raises the policy would make, change nothing")            \
	X(raise_restore_on_stop, "raise.restore_on_stop", UINT, 0, 1, 0, 0, NULL,                  \
	  "watch mode: on stop, put back the limit found at start (if no process holds more)")     \
	X(raise_for, "raise.for", STRING, 0, 256, "*", VS_KEY_LIST, NULL,                          \
	  "watch mode: the workloads the policy raises for, shell globs on a workload's name "     \
	  "(podman:es-data-0, elasticsearch.service) or kind:name (container:es-*, "               \
	  "pod:search/es-*), a list or space-separated; \"*\": any")                               \
	X(log_summary_interval, "log.summary_interval", UINT, 0, VS_INTERVAL_MAX_S, 60, 0, NULL,   \
	  "seconds between summary lines; 0 = off")                                                \
	X(log_events_per_second, "log.events_per_second", UINT, 0, VS_LOG_RATE_MAX, 0, 0, NULL,    \
	  "per-event lines a second beyond each (op, errno)'s first; the rest are counted")        \
	X(accounting_verify_interval_ms, "accounting.verify_interval_ms", UINT, 0,                 \
	  VS_INTERVAL_MAX_MS, 5000, 0, NULL, "compare the count with /proc/self/maps; 0 = off")    \
	X(accounting_latency, "accounting.latency", UINT, 0, VS_LATENCY_SAMPLE_MAX, 8, 0, NULL,    \
	  "time one call in this many for the latency histograms; 1 = every call, 0 = off")        \
	X(accounting_sysctl_interval_ms, "accounting.sysctl_interval_ms", UINT, 100,               \
	  VS_INTERVAL_MAX_MS, 1000, 0, NULL, "re-read vm.max_map_count this often")

#define VS_CONFIG_CTYPE_UINT(f, max) unsigned f;
#define VS_CONFIG_CTYPE_SEED(f, max) uint64_t f;
#define VS_CONFIG_CTYPE_FILL(f, max) double f;
#define VS_CONFIG_CTYPE_STRING(f, max) char f[max];
#define VS_CONFIG_FIELD(f, path, type, min, max, ...) VS_CONFIG_CTYPE_##type(f, max)
struct vs_config {
	VS_CONFIG_KEYS(VS_CONFIG_FIELD)
	/* Each shape's own keys, at its registry slot: its `struct vs_keys_NAME`
	 * (shape.h's VS_SHAPE_KEYS()). */
	_Alignas(8) unsigned char shape_keys[VS_SHAPE_SLOTS][VS_SHAPE_KEYS_BYTES];
};

#define VS_CONFIG_ENUM(f, ...) VS_KEY_##f,
enum vs_config_key { VS_CONFIG_KEYS(VS_CONFIG_ENUM) VS_KEY_COUNT };

struct vs_config_key_info {
	const char *path;
	enum vs_key_type type;
	size_t offset, size; /* in struct vs_config */
	long long min, max;  /* UINT */
	unsigned flags;
	const char *doc;
	const char *choices; /* STRING: its accepted values, "a|b"; NULL: any */
	/* A shape's key: its default (the core's are vs_config_builtin's). */
	double def;
	const char *def_string;
};
