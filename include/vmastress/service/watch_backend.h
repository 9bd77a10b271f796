/* watch_backend.h: the watch's backend on its loop: the BPF catch where it loads (or
 * as watch.backend asks), else the /proc scan, and why; its ring of caught calls
 * drained below the clients, its event channel's marks above them; the ring's size
 * on a reload; the limit's copy handed to the catch; the most VMAs a process holds. */
#pragma once
#include <systemd/sd-event.h>
#include "vmastress/config/config.h"
#include "vmastress/watch/catch/caught.h"
#include "vmastress/watch/catch/channel.h"
#include "vmastress/watch/peaks/peaks.h"
#include "vmastress/watch/watch.h"

struct vs_watch_backend {
	struct vs_watch *w;	       /* the last scan (the most VMAs without the catch) */
	struct vs_peaks *peaks;	       /* what a caught call adds to */
	struct vs_watch_catch caught;  /* the catch, and what it caught */
	struct vs_watch_channel channel; /* marks to the concerns that subscribe */
	sd_event_source *ring;	       /* the caught calls' ring; NULL: the /proc scan */
	sd_event_source *marks;	       /* the channel's ring; NULL: the /proc scan */
};

/* Open the backend cfg asks for (caught.catch NULL: the /proc scan, caught.reason
 * says why), and its channel; caught calls and marks named from names. 0 or an exit
 * code, said. */
int vs_watch_backend_open(struct vs_watch_backend *b, sd_event *ev, struct vs_watch *w,
			  struct vs_peaks *peaks, struct vs_names *names, const struct vs_config *cfg);
/* A reload: a new watch.events_kept starts the caught ring over. */
void vs_watch_backend_reload(struct vs_watch_backend *b, const struct vs_config *next);
/* The catch's copy of the limit, for the limit's owner (watch/limit/limit.h) to call. */
void vs_watch_backend_publish_limit(void *catch, long limit);
/* The most VMAs a process holds now: the kernel's count (bpf), or the last scan's. */
long vs_watch_backend_most(const struct vs_watch_backend *b);
/* The ring's source and the catch closed; b may be unopened. */
void vs_watch_backend_close(struct vs_watch_backend *b);
