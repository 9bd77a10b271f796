/* watch_peaks.c: the watch's peaks kept across restarts, on its loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "vmastress/log/log.h"
#include "vmastress/service/watch_peaks.h"

void vs_kept_peaks_load(struct vs_kept_peaks *k, double now)
{
	const char *dir = getenv("STATE_DIRECTORY");
	char d[300], msg[700];
	int r;

	snprintf(d, sizeof(d), "%s", dir && dir[0] ? dir : "/var/lib/vmastress");
	d[strcspn(d, ":")] = 0; /* the first of several */
	if (mkdir(d, 0755) < 0 && errno != EEXIST) {
		vs_log_errno(LOG_WARNING, -errno, "peaks not kept: %s", d);
		return;
	}
	snprintf(k->path, sizeof(k->path), "%s/peaks.json", d);
	r = vs_peaks_load(&k->peaks, k->path, now, msg, sizeof(msg));
	if (r != 0)
		vs_log(LOG_WARNING, "peaks: %s", msg);
	else if (k->peaks.n)
		vs_log(LOG_INFO, "peaks: %u units from %s, seen since %.0f", k->peaks.n, k->path,
		       k->peaks.since);
	if (r < 0)
		k->path[0] = 0;
}

void vs_kept_peaks_save(struct vs_kept_peaks *k)
{
	int r;

	if (k->path[0] && k->peaks.dirty && (r = vs_peaks_save(&k->peaks, k->path)) < 0)
		vs_log_errno(LOG_WARNING, r, "cannot keep the peaks in %s", k->path);
}

void vs_kept_peaks_note(struct vs_kept_peaks *k, const struct vs_watch *w)
{
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_watch_proc *p = &w->top[i];
		long peak = p->peak > p->vmas ? p->peak : p->vmas;
		if (p->load)
			continue;
		struct vs_peak *e = vs_peaks_note(&k->peaks, p->workload.key, p->comm, p->pid, peak,
						  w->limit, p->peak_at, w->scanned_at, w->scans);
		if (p->shape[0] && e->pid == p->pid) /* judged by the scanner */
			memcpy(e->shape, p->shape, sizeof(e->shape));
		if (p->foreseen && p->to_limit >= 0 && p->rate_per_s > e->rate)
			e->rate = p->rate_per_s; /* climbing: the forecast's measure */
	}
	vs_kept_peaks_save(k);
}

void vs_kept_peaks_climbs(struct vs_kept_peaks *k, const struct vs_watch *w)
{
	for (unsigned i = 0; i < w->nsoon; i++) {
		const struct vs_watch_soon *p = &w->soon[i];
		struct vs_peak *e = vs_peaks_note(&k->peaks, p->workload.key, p->comm, p->pid,
						  p->vmas, w->limit, w->foreseen_at, w->foreseen_at,
						  w->scans);
		if (p->rate_per_s > e->rate)
			e->rate = p->rate_per_s;
	}
}
