/* answer.h: the stats socket's commands, answered from a fresh snapshot. */
#pragma once
#include <stddef.h>
#include "vmastress/work/snapshot.h"

struct vs_answer_ctx {
	/* The daemon's one snapshot assembly (the loop's). */
	void (*snapshot)(void *userdata, struct vs_snapshot *s);
	void *userdata;
};

/* vs_stats_answer_fn: stats, metrics, version, ping, help, else error. */
int vs_answer(const char *cmd, char *buf, size_t len, void *userdata);
/* What every mode answers alike: version, ping, help, and the error for anything
 * else, naming a printable excerpt of it. */
int vs_answer_common(const char *cmd, char *buf, size_t len);
