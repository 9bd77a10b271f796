/* render.c: the raise policy in the watch's stats JSON ("raise", and "advice"'s
 * raised and raise_refused) and its metrics (vmastress_raise_*), every name from
 * its row (raise/fields.h). */
#include "vmastress/output/render.h"
#include "vmastress/raise/fields.h"
#include "vmastress/raise/render.h"

#define F(id) (&vs_raise_fields[VS_RF_##id])

const struct vs_field vs_raise_fields[VS_RF_COUNT] = {VS_RAISE_FIELDS(VS_FIELD_ROW)};

static void ms_or_null(struct vs_textbuf *o, const struct vs_field *f, double v)
{
	vs_field_key(o, f);
	if (v >= 0)
		vs_textbuf_put(o, "%.3f", v);
	else
		vs_textbuf_put(o, "null");
}

static void record_json(struct vs_textbuf *o, const struct vs_raise_record *rec)
{
	vs_textbuf_put(o, "{");
	NUM(o, rec_time, "%.3f", rec->time);
	NUM(o, rec_pid, "%ld", rec->pid);
	TEXT(o, rec_comm, rec->comm);
	TEXT(o, rec_unit, rec->unit);
	OPEN(o, rec_workload, "{");
	NUM(o, rec_wl_kind, "\"%s\"", vs_workload_kind_name(rec->kind));
	TEXT(o, rec_wl_name, rec->workload);
	vs_textbuf_put(o, "}");
	NUM(o, rec_map_count, "%ld", rec->map_count);
	NUM(o, rec_from, "%ld", rec->from);
	NUM(o, rec_to, "%ld", rec->to);
	NUM(o, rec_reason, "\"%s\"", vs_raise_reason_name(rec->reason));
	NUM(o, rec_result, "\"%s\"",
	    rec->result == VS_RAISE_RAISED  ? "raised"
	    : rec->result == VS_RAISE_WOULD ? "dry_run"
					    : "refused");
	STR(o, rec_refused, rec->result == VS_RAISE_REFUSED ? vs_raise_why_name(rec->why) : NULL);
	ms_or_null(o, F(rec_reaction_ms), rec->reaction_ms);
	vs_textbuf_put(o, "}");
}

static void counts_json(struct vs_textbuf *o, const struct vs_raise *r)
{
	vs_field_counts(o, F(raised), vs_raise_reason_name, r->raises, VS_RAISE_REASON_COUNT);
	vs_field_counts(o, F(refused), vs_raise_why_name, r->refused, VS_RAISE_WHY_COUNT);
}

void vs_render_raise_json(struct vs_textbuf *o, const struct vs_raise *r, const char *trigger)
{
	OPEN(o, raise, "{");
	BOOL(o, enabled, r->enabled);
	BOOL(o, dry_run, r->dry_run);
	NUM(o, state, "\"%s\"", vs_raise_state_name(r->state));
	NUM(o, trigger, "\"%s\"", trigger);
	STR(o, reason, r->reason);
	TEXT(o, scope, r->scope_for);
	NUM(o, at, "%g", r->at);
	NUM(o, trigger_at, "%ld", vs_raise_trigger_at(r));
	NUM(o, ceiling, "%ld", r->ceiling);
	NUM(o, kernel_budget_bytes, "%llu", (unsigned long long)r->budget);
	NUM(o, bytes_per_vma, "%.0f", r->bytes_per_vma);
	NUM(o, found, "%ld", r->found);
	NUM(o, limit, "%ld", r->known);
	counts_json(o, r);
	STR(o, refusal, r->refusal);
	OPEN(o, raises, "[");
	for (unsigned i = 0; i < r->n; i++) { /* oldest first */
		unsigned k = (r->head + VS_RAISE_KEPT - r->n + i) % VS_RAISE_KEPT;
		if (i)
			vs_textbuf_put(o, ",");
		record_json(o, &r->kept[k]);
	}
	vs_textbuf_put(o, "]");
	OPEN(o, reaction, "{");
	ms_or_null(o, F(reaction_p50), vs_raise_reaction_quantile(r, 0.50));
	ms_or_null(o, F(reaction_p99), vs_raise_reaction_quantile(r, 0.99));
	ms_or_null(o, F(reaction_max), vs_raise_reaction_quantile(r, 1.0));
	NUM(o, reaction_count, "%llu", (unsigned long long)r->reaction_count);
	vs_textbuf_put(o, "}}");
}

void vs_render_raise_advice_json(struct vs_textbuf *o, const struct vs_raise *r)
{
	uint64_t raises = r->raises[VS_RAISE_FILL] + r->raises[VS_RAISE_REFUSAL];

	/* What the policy raised (the fleet's summary lists it). */
	if (!r->dry_run && raises > 0) {
		OPEN(o, advice_raised, "{");
		NUM(o, advice_from, "%ld", r->found);
		NUM(o, advice_to, "%ld", r->known);
		NUM(o, advice_raises, "%llu", (unsigned long long)raises);
		vs_textbuf_put(o, "}");
	} else
		NUM(o, advice_raised, "%s", "null");
	/* A raise the policy could not make: the budget or the ceiling said so. */
	STR(o, advice_refused, r->refusal);
}

void vs_render_raise_prom(struct vs_textbuf *o, const struct vs_raise *r)
{
	vs_field_head(o, F(enabled));
	vs_field_metric(o, F(enabled));
	vs_textbuf_put(o, "{state=\"%s\",dry_run=\"%d\"} %d\n", vs_raise_state_name(r->state),
		       r->dry_run, r->state == VS_RAISE_ARMED);
	vs_field_series(o, F(raised), "reason", vs_raise_reason_name, r->raises,
			VS_RAISE_REASON_COUNT);
	vs_field_series(o, F(refused), "why", vs_raise_why_name, r->refused, VS_RAISE_WHY_COUNT);
	vs_field_head(o, F(limit));
	vs_field_metric(o, F(limit));
	vs_textbuf_put(o, " %ld\n", r->known);
	vs_field_head(o, F(reaction));
	uint64_t cum = 0;
	for (int b = 0; b < VS_RAISE_BUCKETS; b++) {
		cum += r->reaction_buckets[b];
		vs_field_metric(o, F(reaction));
		vs_textbuf_put(o, "_bucket{le=\"%g\"} %llu\n", vs_raise_bucket_le[b],
			       (unsigned long long)cum);
	}
	const char *m = F(reaction)->metric;
	vs_textbuf_put(o,
		       "vmastress_%s_bucket{le=\"+Inf\"} %llu\nvmastress_%s_sum %.6f\n"
		       "vmastress_%s_count %llu\n",
		       m, (unsigned long long)r->reaction_count, m, r->reaction_sum, m,
		       (unsigned long long)r->reaction_count);
}
