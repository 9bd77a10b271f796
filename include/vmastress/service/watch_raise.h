/* watch_raise.h: the raise policy (watch/raise.h) on the watch's loop: its trigger's
 * ring read at the loop's highest priority, what it did said (journald, the stats),
 * the trigger re-armed, the scans' checks (an administrator's write; the trigger
 * where the backend is the /proc scan). */
#pragma once
#include <systemd/sd-event.h>
#include "vmastress/watch/limit.h"
#include "vmastress/watch/raise.h"
#include "vmastress/watch/watch.h"

struct vs_watch_raiser {
	struct vs_raise policy;
	struct vs_catch *catch; /* NULL: the /proc scan is the trigger */
	sd_event_source *ring, *rearm;
	uint64_t memtotal;
};

/* Set up from cfg (raise.*) against the running limit, the state said; 0 or -errno. */
int vs_watch_raiser_start(struct vs_watch_raiser *r, sd_event *ev, struct vs_catch *catch,
			  struct vs_watch_limit *limit, const struct vs_config *cfg);
/* A reload: raise.* again, a stopped policy re-armed. */
void vs_watch_raiser_reload(struct vs_watch_raiser *r, const struct vs_config *cfg);
/* A finished scan: the running limit compared with the policy's, the top process
 * compared with the trigger (the /proc scan's, or one that sat above it). */
void vs_watch_raiser_scanned(struct vs_watch_raiser *r, const struct vs_watch *w);
/* On stop: raise.restore_on_stop done (most: the most VMAs a process holds), the
 * sources freed. */
void vs_watch_raiser_stop(struct vs_watch_raiser *r, long most);
