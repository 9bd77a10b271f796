/* render_workload.c: a workload in the watch's stats JSON, for every place that shows
 * one (the top rows, the soonest, the caught calls, the peak), from its place's rows. */
#include "vmastress/output/render.h"
#include "vmastress/output/render_watch.h"
#include "vmastress/output/watch_fields.h"

void vs_render_workload_json(struct vs_textbuf *o, const struct vs_workload *w,
			     const struct vs_field *obj, const struct vs_field *kind,
			     const struct vs_field *name, const struct vs_field *named,
			     const struct vs_field *why)
{
	vs_field_key(o, obj);
	vs_textbuf_put(o, "{");
	vs_field_key(o, kind);
	vs_textbuf_put(o, "\"%s\"", vs_workload_kind_name(w->kind));
	vs_field_key(o, name);
	vs_textbuf_json_string(o, w->name);
	if (named) {
		vs_field_key(o, named);
		vs_textbuf_put(o, "%s", w->named ? "true" : "false");
	}
	if (why && !w->named)
		vs_field_string(o, why, w->why);
	vs_textbuf_put(o, "}");
}
