/* render_json.c: snapshot -> the stats JSON of DESIGN.md, into the caller's buffer. */
#include <errno.h>
#include <stdio.h>
#include "vmastress/errnames.h"
#include "vmastress/textbuf.h"
#include "vmastress/render_json.h"

/* Per-op objects: {"mmap":..,"mprotect":..,"munmap":..}. */
static void per_op(struct vs_textbuf *o, const char *sep, const char *key,
		   const uint64_t v[VS_OP_COUNT])
{
	vs_textbuf_put(o, "%s\"%s\":{", sep, key);
	for (int op = 0; op < VS_OP_COUNT; op++)
		vs_textbuf_put(o, "%s\"%s\":%llu", op ? "," : "", vs_op_name(op),
			       (unsigned long long)v[op]);
	vs_textbuf_put(o, "}");
}

/* failures: keyed by errno name; ENOMEM always present, others when non-zero. */
static void failures(struct vs_textbuf *o, const struct vs_totals *t)
{
	vs_textbuf_put(o, ",\"failures\":{");
	for (int op = 0; op < VS_OP_COUNT; op++) {
		vs_textbuf_put(o, "%s\"%s\":{", op ? "," : "", vs_op_name(op));
		for (unsigned e = 0, first = 1; e < VS_ERRNO_SLOTS; e++) {
			if (e != 0 && !t->failures[op][e])
				continue;
			vs_textbuf_put(o, "%s\"%s\":%llu", first ? "" : ",", vs_errno_slot_name(e),
				       (unsigned long long)t->failures[op][e]);
			first = 0;
		}
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "}");
}

int vs_render_json(const struct vs_snapshot *s, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};
	const struct vs_totals *t = &s->t;

	if (!len)
		return -ENOBUFS;
	vs_textbuf_put(
	    &o,
	    "{\"version\":\"%s\",\"pid\":%ld,\"uptime_seconds\":%.3f,\"start_time_seconds\":%.3f,"
	    "\"seed\":%llu,\"profile\":\"%s\",\"workers\":%u,\"max_map_count\":%ld,"
	    "\"map_count\":%ld,\"map_count_predicted\":%ld,\"map_count_peak\":%ld,"
	    "\"vma_cap\":%ld,\"mappings\":%llu,\"mapped_bytes\":%llu",
	    VS_VERSION, s->pid, s->uptime_seconds, s->start_time, (unsigned long long)s->seed,
	    s->profile, s->workers, s->max_map_count, s->map_count, s->map_count_predicted,
	    s->map_count_peak, s->vma_cap, (unsigned long long)t->mappings,
	    (unsigned long long)t->mapped_bytes);
	per_op(&o, ",", "ops", t->ops);
	failures(&o, t);
	vs_textbuf_put(&o, ",\"enomem\":{");
	per_op(&o, "", "map_count", t->enomem_map_count);
	per_op(&o, ",", "memory", t->enomem_memory);
	vs_textbuf_put(&o, "},\"first_enomem_seconds\":{");
	for (int op = 0; op < VS_OP_COUNT; op++) {
		if (s->first_enomem[op] >= 0)
			vs_textbuf_put(&o, "%s\"%s\":%.6f", op ? "," : "", vs_op_name(op),
				       s->first_enomem[op]);
		else
			vs_textbuf_put(&o, "%s\"%s\":null", op ? "," : "", vs_op_name(op));
	}
	vs_textbuf_put(&o, "}");
	vs_textbuf_put(
	    &o,
	    ",\"leaks\":{\"mappings\":%llu,\"bytes\":%llu,\"reclaimed_mappings\":%llu,"
	    "\"reclaimed_bytes\":%llu},\"punches\":%llu,\"touched_pages\":%llu,\"vmas_created\":%llu,"
	    "\"held_or_idle\":%llu,\"table_full\":%llu,\"events_dropped\":%llu,"
	    "\"clients_rejected\":%llu,"
	    "\"sequence\":\"%016llx\",\"accounting\":{\"verifications\":%llu,"
	    "\"drift_events\":%llu,\"drift_last\":%ld,\"drift_max\":%ld,\"exact_probe\":%s,"
	    "\"limit_changes\":%llu}}\n",
	    (unsigned long long)t->leaked_mappings, (unsigned long long)t->leaked_bytes,
	    (unsigned long long)t->reclaimed_mappings, (unsigned long long)t->reclaimed_bytes,
	    (unsigned long long)t->punches, (unsigned long long)t->touched_pages,
	    (unsigned long long)t->vmas_created,
	    (unsigned long long)t->idle, (unsigned long long)t->table_full,
	    (unsigned long long)t->events_dropped, (unsigned long long)s->clients_rejected,
	    (unsigned long long)t->sequence, (unsigned long long)s->verifications,
	    (unsigned long long)s->drift_events, s->drift_last, s->drift_max,
	    s->exact_probe ? "true" : "false", (unsigned long long)s->limit_changes);
	return vs_textbuf_result(&o);
}
