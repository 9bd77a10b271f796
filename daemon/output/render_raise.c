/* render_raise.c: the raise policy in the watch's stats JSON ("raise") and its
 * metrics (vmastress_raise_*). */
#include "vmastress/output/render.h"
#include "vmastress/output/render_watch.h"

static void record_json(struct vs_textbuf *o, const struct vs_raise_record *rec)
{
	vs_textbuf_put(o, "{\"time\":%.3f,\"pid\":%ld,\"comm\":", rec->time, rec->pid);
	vs_textbuf_json_string(o, rec->comm);
	vs_textbuf_put(o, ",\"unit\":");
	vs_textbuf_json_string(o, rec->unit);
	vs_textbuf_put(o, ",\"map_count\":%ld,\"from\":%ld,\"to\":%ld,\"reason\":\"%s\",",
		       rec->map_count, rec->from, rec->to, vs_raise_reason_name(rec->reason));
	vs_textbuf_put(o, "\"result\":\"%s\",\"refused\":",
		       rec->result == VS_RAISE_RAISED  ? "raised"
		       : rec->result == VS_RAISE_WOULD ? "dry_run"
						       : "refused");
	if (rec->result == VS_RAISE_REFUSED)
		vs_textbuf_put(o, "\"%s\"", vs_raise_why_name(rec->why));
	else
		vs_textbuf_put(o, "null");
	if (rec->reaction_ms >= 0)
		vs_textbuf_put(o, ",\"reaction_ms\":%.3f}", rec->reaction_ms);
	else
		vs_textbuf_put(o, ",\"reaction_ms\":null}");
}

static void quantile(struct vs_textbuf *o, const char *key, double v)
{
	if (v >= 0)
		vs_textbuf_put(o, "\"%s\":%.3f", key, v);
	else
		vs_textbuf_put(o, "\"%s\":null", key);
}

void vs_render_raise_json(struct vs_textbuf *o, const struct vs_raise *r, const char *trigger)
{
	vs_textbuf_put(
	    o,
	    ",\"raise\":{\"enabled\":%s,\"dry_run\":%s,\"state\":\"%s\",\"trigger\":\"%s\","
	    "\"reason\":",
	    r->enabled ? "true" : "false", r->dry_run ? "true" : "false",
	    vs_raise_state_name(r->state), trigger);
	if (r->reason[0])
		vs_textbuf_json_string(o, r->reason);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(
	    o,
	    ",\"at\":%g,\"trigger_at\":%ld,\"ceiling\":%ld,\"kernel_budget_bytes\":%llu,"
	    "\"bytes_per_vma\":%.0f,\"found\":%ld,\"limit\":%ld,\"raised\":{\"fill\":%llu,"
	    "\"refusal\":%llu},\"refused\":{\"budget\":%llu,\"ceiling\":%llu,"
	    "\"permission\":%llu},\"refusal\":",
	    r->at, vs_raise_trigger_at(r), r->ceiling, (unsigned long long)r->budget,
	    r->bytes_per_vma, r->found, r->known, (unsigned long long)r->raises[VS_RAISE_FILL],
	    (unsigned long long)r->raises[VS_RAISE_REFUSAL],
	    (unsigned long long)r->refused[VS_RAISE_BUDGET],
	    (unsigned long long)r->refused[VS_RAISE_CEILING],
	    (unsigned long long)r->refused[VS_RAISE_PERMISSION]);
	if (r->refusal[0])
		vs_textbuf_json_string(o, r->refusal);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o, ",\"raises\":[");
	for (unsigned i = 0; i < r->n; i++) { /* oldest first */
		unsigned k = (r->head + VS_RAISE_KEPT - r->n + i) % VS_RAISE_KEPT;
		if (i)
			vs_textbuf_put(o, ",");
		record_json(o, &r->kept[k]);
	}
	vs_textbuf_put(o, "],\"reaction_ms\":{");
	quantile(o, "p50", vs_raise_reaction_quantile(r, 0.50));
	vs_textbuf_put(o, ",");
	quantile(o, "p99", vs_raise_reaction_quantile(r, 0.99));
	vs_textbuf_put(o, ",");
	quantile(o, "max", vs_raise_reaction_quantile(r, 1.0));
	vs_textbuf_put(o, ",\"count\":%llu}}", (unsigned long long)r->reaction_count);
}

void vs_render_raise_prom(struct vs_textbuf *o, const struct vs_raise *r)
{
	vs_textbuf_prom_head(
	    o, "raise_enabled", "gauge",
	    "1 while the raise policy is armed (raise.enabled, not stopped or refused)");
	vs_textbuf_put(o, "vmastress_raise_enabled{state=\"%s\",dry_run=\"%d\"} %d\n",
		       vs_raise_state_name(r->state), r->dry_run, r->state == VS_RAISE_ARMED);
	vs_textbuf_prom_head(
	    o, "raise_total", "counter",
	    "raises of vm.max_map_count by the policy (dry-run: the raises it would make), by "
	    "what triggered them");
	for (int k = 0; k < VS_RAISE_REASON_COUNT; k++)
		vs_textbuf_put(o, "vmastress_raise_total{reason=\"%s\"} %llu\n",
			       vs_raise_reason_name(k), (unsigned long long)r->raises[k]);
	vs_textbuf_prom_head(
	    o, "raise_refused_total", "counter",
	    "steps the policy did not take: raise.kernel_budget, raise.ceiling, or no "
	    "permission to write the sysctl");
	for (int k = 0; k < VS_RAISE_WHY_COUNT; k++)
		vs_textbuf_put(o, "vmastress_raise_refused_total{why=\"%s\"} %llu\n",
			       vs_raise_why_name(k), (unsigned long long)r->refused[k]);
	vs_textbuf_prom_head(o, "raise_limit", "gauge",
			     "vm.max_map_count as the policy last read or wrote it");
	vs_textbuf_put(o, "vmastress_raise_limit %ld\n", r->known);
	vs_textbuf_prom_head(
	    o, "raise_reaction_seconds", "histogram",
	    "from the call that crossed raise.at (or was refused) to the new value written");
	uint64_t cum = 0;
	for (int b = 0; b < VS_RAISE_BUCKETS; b++) {
		cum += r->reaction_buckets[b];
		vs_textbuf_put(o, "vmastress_raise_reaction_seconds_bucket{le=\"%g\"} %llu\n",
			       vs_raise_bucket_le[b], (unsigned long long)cum);
	}
	vs_textbuf_put(o,
		       "vmastress_raise_reaction_seconds_bucket{le=\"+Inf\"} %llu\n"
		       "vmastress_raise_reaction_seconds_sum %.6f\n"
		       "vmastress_raise_reaction_seconds_count %llu\n",
		       (unsigned long long)r->reaction_count, r->reaction_sum,
		       (unsigned long long)r->reaction_count);
}
