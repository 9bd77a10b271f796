/* config.h: the effective configuration and its libconfig loader/validator. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VS_DEFAULT_CONFIG "/etc/vmastress/vmastressd.conf"
#define VS_DEFAULT_SOCKET "/run/vmastress/stats.sock"
#define VS_PROFILE_MAX 16
#define VS_PATH_MAX 108 /* sun_path */
#define VS_TEXTFILE_MAX 256

/* Hard bounds, documented in vmastressd.conf(5). */
#define VS_WORKERS_MAX 256
#define VS_PAGES_MAX 65536
#define VS_SEPARATOR_MAX 64
#define VS_WEIGHT_MAX 1000000

struct vs_config {
	unsigned workers;
	uint64_t seed;
	unsigned duration;
	char profile[VS_PROFILE_MAX];
	struct {
		unsigned min_pages, max_pages, separator_pages, touch_pages;
	} mapping;
	struct {
		unsigned mmap, mprotect, munmap, punch;
	} ops;
	struct {
		double target_fill;
		unsigned reserve;
	} pressure;
	struct {
		unsigned retry_interval_ms;
	} leaks;
	struct {
		char socket[VS_PATH_MAX];
		char textfile[VS_TEXTFILE_MAX]; /* "" = off: node_exporter textfile collector */
		unsigned textfile_interval;	/* seconds */
	} stats;
	struct {
		unsigned summary_interval;
		unsigned events_per_second;
	} log;
	struct {
		unsigned verify_interval_ms; /* /proc/self/maps check, workers quiesced */
		unsigned sysctl_interval_ms; /* vm.max_map_count re-read */
	} accounting;
};

/* Overrides from the command line; a field applies when its has_ flag is set. */
struct vs_overrides {
	bool has_workers, has_seed, has_duration, has_profile, has_socket;
	unsigned workers;
	uint64_t seed;
	unsigned duration;
	char profile[VS_PROFILE_MAX];
	char socket[VS_PATH_MAX];
};

/*
 * Load: profile preset (from overrides, else the file's `profile`, else
 * "guarded"), then the file's keys, then the overrides. `path` NULL means
 * built-in defaults only. `must_exist` false lets a missing file mean defaults.
 * On error returns -EINVAL/-ENOENT/... and writes "FILE:LINE: key: what" to err.
 */
int vs_config_load(struct vs_config *cfg, const char *path, bool must_exist,
		   const struct vs_overrides *ov, char *err, size_t errlen);

/* Validate cross-field rules of an assembled config (also used after overrides). */
int vs_config_validate(const struct vs_config *cfg, char *err, size_t errlen);

/* Print the effective configuration in libconfig syntax. */
void vs_config_print(const struct vs_config *cfg, FILE *out);
