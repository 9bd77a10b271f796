/* concern.h: a concern of the watch (the raise policy; next the workloads and the
 * forecast): a unit of its own folder that the watch's loop starts, hands each scan,
 * reloads and stops, and whose fields the watch's stats and metrics render in their
 * place. It owns its state; the loop holds only the list. docs/design.md: "How to add
 * a watch concern". */
#pragma once
#include <systemd/sd-event.h>

struct vs_config;
struct vs_textbuf;
struct vs_watch;
struct vs_watch_channel;
struct vs_watch_limit;

/* What a concern is started with: the loop, the catch's event channel, the limit's
 * one owner, the configuration. */
struct vs_watch_house {
	sd_event *ev;
	struct vs_watch_channel *channel;
	struct vs_watch_limit *limit;
	const struct vs_config *cfg;
};

struct vs_watch_concern {
	const char *name;
	void *state;
	int (*start)(void *state, const struct vs_watch_house *h); /* 0 or -errno */
	void (*scanned)(void *state, const struct vs_watch *w);	   /* a finished scan */
	void (*reload)(void *state, const struct vs_config *cfg);
	void (*stop)(void *state, long most); /* most: the most VMAs a process holds now */
	/* Rendering (no allocation): its object in the stats JSON, its fields inside
	 * "advice", its metrics. NULL: none. */
	void (*json)(struct vs_textbuf *o, const void *state);
	void (*advice_json)(struct vs_textbuf *o, const void *state);
	void (*prom)(struct vs_textbuf *o, const void *state);
};

#define VS_WATCH_CONCERNS_MAX 4
