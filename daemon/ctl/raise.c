/* raise.c: the raise policy as vmastressctl shows it: a line of status, and its raises
 * among the events. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ctl.h"

void vs_ctl_print_raise(json_object *s)
{
	json_object *r = vs_ctl_at(s, "raise");
	char state[24], why[300], refusal[300];

	if (!json_object_is_type(r, json_type_object) ||
	    !json_object_get_boolean(vs_ctl_at(r, "enabled")))
		return;
	vs_ctl_text(r, "state", state, sizeof(state));
	printf("raise:     %s%s", state,
	       json_object_get_boolean(vs_ctl_at(r, "dry_run")) ? " (dry-run)" : "");
	if (strcmp(state, "armed") == 0)
		printf(", at %.0f VMAs of %.0f, up to %.0f (trigger: %s)",
		       vs_ctl_num(r, "trigger_at"), vs_ctl_num(r, "limit"),
		       vs_ctl_num(r, "ceiling"),
		       strcmp(vs_ctl_text(r, "trigger", why, sizeof(why)), "bpf") == 0
			   ? "every hooked call"
			   : "the scan");
	else
		printf(": %s", vs_ctl_text(r, "reason", why, sizeof(why)));
	printf("; %.0f raised, found %.0f",
	       vs_ctl_num(r, "raised.fill") + vs_ctl_num(r, "raised.refusal"),
	       vs_ctl_num(r, "found"));
	if (!isnan(vs_ctl_num(r, "reaction_ms.p99")))
		printf(", reaction p50 %.3f ms, p99 %.3f ms", vs_ctl_num(r, "reaction_ms.p50"),
		       vs_ctl_num(r, "reaction_ms.p99"));
	printf("\n");
	if (strcmp(vs_ctl_text(r, "refusal", refusal, sizeof(refusal)), "-"))
		printf("           not raised: %s\n", refusal);
}

unsigned vs_ctl_print_raises(json_object *s, double *last, bool json)
{
	json_object *list = vs_ctl_at(s, "raise.raises");
	size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	unsigned shown = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i);
		char when[32], c[40], u[VS_CTL_UNIT_WIDTH + 1], result[16], why[16];
		time_t t = (time_t)vs_ctl_num(e, "time");
		struct tm tm;
		if (vs_ctl_num(e, "time") <= *last)
			continue;
		*last = vs_ctl_num(e, "time");
		shown++;
		if (json) {
			printf("{\"raise\":%s}\n",
			       json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
			continue;
		}
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
		vs_ctl_workload(e, u, sizeof(u));
		vs_ctl_text(e, "result", result, sizeof(result));
		printf(
		    "%s  pid %-8.0f %-16s %-*s %s vm.max_map_count %.0f -> %.0f at %.0f VMAs (%s",
		    when, vs_ctl_num(e, "pid"), vs_ctl_text(e, "comm", c, sizeof(c)), 24, u,
		    strcmp(result, "raised") == 0    ? "raised"
		    : strcmp(result, "dry_run") == 0 ? "would raise"
						     : "did not raise",
		    vs_ctl_num(e, "from"), vs_ctl_num(e, "to"), vs_ctl_num(e, "map_count"),
		    vs_ctl_text(e, "reason", why, sizeof(why)));
		if (strcmp(result, "refused") == 0)
			printf(", refused: %s", vs_ctl_text(e, "refused", why, sizeof(why)));
		else if (!isnan(vs_ctl_num(e, "reaction_ms")))
			printf(", %.3f ms", vs_ctl_num(e, "reaction_ms"));
		printf(")\n");
	}
	return shown;
}
