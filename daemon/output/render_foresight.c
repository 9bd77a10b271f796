/* render_foresight.c: the forecast's fields in the watch's stats and metrics (each
 * top row's, the soonest list), every name from the rows of output/watch_fields.h. */
#include <stdio.h>
#include "vmastress/output/render.h"
#include "vmastress/output/render_watch.h"
#include "vmastress/output/watch_fields.h"

#define F(id) (&vs_watch_fields[VS_WF_##id])

/* A time left: seconds, or null (flat, falling, not followed). */
static void eta(struct vs_textbuf *o, const struct vs_field *f, double s)
{
	vs_field_key(o, f);
	if (s < 0)
		vs_textbuf_put(o, "null");
	else
		vs_textbuf_put(o, "%.1f", s);
}

void vs_render_forecast_row(struct vs_textbuf *o, const struct vs_watch_proc *p)
{
	if (p->foreseen)
		NUM(o, top_rate, "%.1f", p->rate_per_s);
	else
		NUM(o, top_rate, "%s", "null");
	eta(o, F(top_to_limit), p->foreseen ? p->to_limit : -1);
	eta(o, F(top_to_ceiling), p->foreseen ? p->to_ceiling : -1);
}

void vs_render_soon_json(struct vs_textbuf *o, const struct vs_watch *w)
{
	NUM(o, warn_within, "%u", w->warn_within);
	NUM(o, foreseen_at, "%.3f", w->foreseen_at);
	NUM(o, forecast_overflow, "%llu", (unsigned long long)w->forecast_overflow);
	OPEN(o, soon, "[");
	for (unsigned i = 0; i < w->nsoon; i++) {
		const struct vs_watch_soon *p = &w->soon[i];
		vs_textbuf_put(o, "%s{", i ? "," : "");
		NUM(o, soon_pid, "%ld", p->pid);
		TEXT(o, soon_comm, p->comm);
		TEXT(o, soon_unit, p->unit);
		vs_render_workload_json(o, &p->workload, F(soon_workload), F(soon_wl_kind),
					F(soon_wl_name), F(soon_wl_named), F(soon_wl_why));
		NUM(o, soon_map_count, "%ld", p->vmas);
		NUM(o, soon_fill, "%.6f", w->limit > 0 ? (double)p->vmas / (double)w->limit : 0);
		NUM(o, soon_rate, "%.1f", p->rate_per_s);
		eta(o, F(soon_to_limit), p->to_limit);
		eta(o, F(soon_to_ceiling), p->to_ceiling);
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]");
}

void vs_render_soon_prom(struct vs_textbuf *o, const struct vs_watch *w)
{
	vs_field_head(o, F(soon_to_limit));
	for (unsigned i = 0; i < w->nsoon; i++) {
		const struct vs_watch_soon *p = &w->soon[i];
		vs_field_metric(o, F(soon_to_limit));
		vs_textbuf_put(o, "{pid=\"%ld\",comm=\"", p->pid);
		vs_textbuf_label(o, p->comm);
		vs_textbuf_put(o, "\",workload=\"");
		vs_textbuf_label(o, p->workload.name);
		vs_textbuf_put(o, "\"} %.1f\n", p->to_limit);
	}
}

void vs_render_origin_json(struct vs_textbuf *o, const struct vs_sysctl_source *src)
{
	OPEN(o, sysctl_sources, "[");
	for (unsigned i = 0; i < src->nsources; i++) {
		const struct vs_sysctl_file *f = &src->sources[i];
		vs_textbuf_put(o, "%s{", i ? "," : "");
		TEXT(o, src_path, f->path);
		if (f->value >= 0)
			NUM(o, src_value, "%ld", f->value);
		else
			NUM(o, src_value, "%s", "null");
		BOOL(o, src_masked, f->masked);
		STR(o, src_masked_by, f->masked_by);
		STR(o, src_package, f->package);
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]");
	NUM(o, sysctl_more, "%u", src->more);
	STR(o, sysctl_winner, src->source);
	BOOL(o, sysctl_running_matches, src->running_matches);
	BOOL(o, sysctl_lowers, src->lowers);
	if (!src->lowers) {
		NUM(o, lowered_from, "%s", "null");
		return;
	}
	OPEN(o, lowered_from, "{");
	STR(o, lowered_from_path, src->lowered_from);
	NUM(o, lowered_from_value, "%ld", src->lowered_from_value);
	vs_textbuf_put(o, "}");
}

void vs_render_origin_prom(struct vs_textbuf *o, const struct vs_sysctl_source *src)
{
	vs_field_head(o, F(sysctl_lowers));
	vs_field_metric(o, F(sysctl_lowers));
	vs_textbuf_put(o, "{winner=\"");
	vs_textbuf_label(o, src->source);
	vs_textbuf_put(o, "\",lowered_from=\"");
	vs_textbuf_label(o, src->lowers && !src->lowered_from[0] ? "kernel default"
								 : src->lowered_from);
	vs_textbuf_put(o, "\"} %d\n", src->lowers ? 1 : 0);
}
