/* stats_server.h: the stats socket: accept, bounded read, dispatch, a deadline per client. */
#pragma once
#include <stddef.h>
#include <systemd/sd-event.h>
#include "vmastress/interface.h"

#define VS_STATS_CLIENTS_MAX 64	  /* served at once; more get "error: busy" */
#define VS_STATS_DEADLINE_MS 1000 /* to send the line and read the answer */
/* The load's metrics with every latency series: ~60 KiB; the watch's stats with 256
 * caught calls and their workloads: ~110 KiB. */
#define VS_STATS_ANSWER_MAX 196608

/* Writes the answer to `cmd` into buf; returns its length. Must not block. */
typedef int (*vs_stats_answer_fn)(const char *cmd, char *buf, size_t len, void *userdata);

struct vs_stats_server;

/* From sd_listen_fds() when socket-activated, else bind `path` (mode 0660),
 * refusing a live socket and replacing a stale one. path "none": no server. */
int vs_stats_server_new(struct vs_stats_server **out, sd_event *ev, const char *path,
			vs_stats_answer_fn fn, void *userdata);
void vs_stats_server_free(struct vs_stats_server *s);
/* Clients turned away (pool full, timeouts, bad requests) since start. */
unsigned long vs_stats_server_rejected(const struct vs_stats_server *s);
/* Silent clients closed to make room for a new one since start. */
unsigned long vs_stats_server_evicted(const struct vs_stats_server *s);
