/* report.h: the files the daemon writes: the --report JSON and the metrics textfile. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/output/render.h"

/* The report to path ("-": stdout), with no stdio and no allocation. */
int vs_report_write(const char *path, const struct vs_snapshot *s, const struct vs_config *cfg,
		    bool final, vs_leak_next_fn next, void *userdata);
/* Write to PATH.tmp, fsync, rename over PATH: readers never see half a file. */
int vs_textfile_write(const char *path, const char *text, size_t len);
