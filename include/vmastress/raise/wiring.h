/* wiring.h: the raise policy (policy.h) as a concern of the watch (concern.h): it
 * subscribes to the catch's event channel at its trigger, acts on each mark at the
 * loop's highest priority, says what it did (journald, the stats), wants the next
 * mark, and checks each scan for an administrator's write. */
#pragma once
#include <stdint.h>
#include <systemd/sd-event.h>
#include "vmastress/raise/policy.h"
#include "vmastress/watch/concern.h"

struct vs_raiser {
	struct vs_raise policy;
	struct vs_watch_channel *channel;
	int sub;		 /* its subscription to the channel */
	bool kernel;		 /* the marks come from the kernel's hook (bpf); else the scans */
	sd_event_source *rearm; /* the trigger wanted again after a step not taken */
	uint64_t memtotal;
};

/* The concern's table for the loop's list, state r. */
void vs_raiser_concern(struct vs_raiser *r, struct vs_watch_concern *c);
