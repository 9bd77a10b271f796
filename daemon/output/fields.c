/* fields.c: an output's row written (fields.h). */
#include <string.h>
#include "vmastress/output/fields.h"
#include "vmastress/output/render.h"

void vs_field_key(struct vs_textbuf *o, const struct vs_field *f)
{
	const char *name = strrchr(f->json, '.');

	name = name ? name + 1 : f->json;
	vs_textbuf_put(o, "%s\"%s\":", o->last == '{' || o->last == '[' ? "" : ",", name);
}

void vs_field_head(struct vs_textbuf *o, const struct vs_field *f)
{
	vs_textbuf_prom_head(o, f->metric, f->kind, f->help);
}

void vs_field_metric(struct vs_textbuf *o, const struct vs_field *f)
{
	vs_textbuf_put(o, "vmastress_%s", f->metric);
}

void vs_field_string(struct vs_textbuf *o, const struct vs_field *f, const char *s)
{
	vs_field_key(o, f);
	if (s && s[0])
		vs_textbuf_json_string(o, s);
	else
		vs_textbuf_put(o, "null");
}

void vs_field_counts(struct vs_textbuf *o, const struct vs_field *f, vs_field_name_fn name,
		     const uint64_t *n, unsigned count)
{
	vs_field_key(o, f);
	vs_textbuf_put(o, "{");
	for (unsigned k = 0; k < count; k++)
		vs_textbuf_put(o, "%s\"%s\":%llu", k ? "," : "", name(k), (unsigned long long)n[k]);
	vs_textbuf_put(o, "}");
}

void vs_field_series(struct vs_textbuf *o, const struct vs_field *f, const char *label,
		     vs_field_name_fn name, const uint64_t *n, unsigned count)
{
	vs_field_head(o, f);
	for (unsigned k = 0; k < count; k++) {
		vs_field_metric(o, f);
		vs_textbuf_put(o, "{%s=\"%s\"} %llu\n", label, name(k), (unsigned long long)n[k]);
	}
}
