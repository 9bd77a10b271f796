/* answer.h: the stats socket's commands, answered from a fresh snapshot. */
#pragma once
#include <stddef.h>
#include "vmastress/engine.h"
#include "vmastress/stats_server.h"

struct vs_answer_ctx {
	struct vs_engine *eng;
	const uint64_t *log_dropped; /* the loop's rate-limit drops */
	struct vs_stats_server *const *server;
};

/* vs_stats_answer_fn: stats, metrics, version, ping, help, else error. */
int vs_answer(const char *cmd, char *buf, size_t len, void *userdata);
void vs_answer_snapshot(const struct vs_answer_ctx *c, struct vs_snapshot *s);
