/* report.h: the files the daemon writes: the --report JSON and the metrics textfile. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/output/render.h"

/* The report to path ("-": stdout), with no stdio and no allocation. */
int vs_report_write(const char *path, const struct vs_snapshot *s, const struct vs_config *cfg,
		    const struct vs_timeline *tl, bool final, vs_leak_next_fn next, void *userdata);
/* An output file's health: failures, whether the last write failed, and why. */
struct vs_output_state {
	uint64_t failures;
	bool failing;
	char error[VS_SNAP_STRING_MAX];
};

/* Write to PATH.tmp (mode 0644 whatever the umask), fsync, rename over PATH:
 * readers never see half a file. */
int vs_textfile_write(const char *path, const char *text, size_t len);
/* Remove the textfile at PATH ("" nothing): a clean stop, or a reload that no
 * longer writes it there. node_exporter would otherwise serve the last values
 * for ever; after a crash the file stays, and the staleness alert is right. */
void vs_textfile_remove(const char *path, const char *why);
