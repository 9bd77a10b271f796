/* textfile.h: metrics for node_exporter's textfile collector, replaced atomically. */
#pragma once
#include <stddef.h>

/* Write to PATH.tmp, fsync, rename over PATH: readers never see half a file. */
int vs_textfile_write(const char *path, const char *text, size_t len);
