/* compare.c: two --report files side by side: verdicts, like-for-like keys, the
 * configuration's differences, the counters of stats.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ctl.h"

/* A row of three columns (30, 20, 20); a value that does not fit goes on lines
 * of its own below the label, so the columns of every other row stay put. */
static void text_row(const char *label, const char *a, const char *b)
{
	if (strlen(a) > 20 || strlen(b) > 20) {
		printf("%s\n    A: %s\n    B: %s\n", label, a, b);
		return;
	}
	if (strlen(label) > 30) {
		printf("%s\n", label);
		label = "";
	}
	printf("%-30s %20s %20s\n", label, a, b);
}

static void row(const char *label, double a, double b)
{
	char t[2][32];
	double v[2] = {a, b};

	for (int k = 0; k < 2; k++)
		if (isnan(v[k]))
			snprintf(t[k], sizeof(t[k]), "-");
		else
			snprintf(t[k], sizeof(t[k]), "%.*f", fmod(v[k], 1) != 0 ? 3 : 0, v[k]);
	text_row(label, t[0], t[1]);
}

/* The compared rows of one family, each key under both reports. */
static void family_rows(json_object *A, json_object *B, enum vs_stat_family f)
{
	char k[96];

	if (f == VS_FAMILY_CALLS) { /* keyed by the shape's names: A's, then B's others */
		json_object *calls[2] = {vs_ctl_at(A, family_json[f]),
					 vs_ctl_at(B, family_json[f])};
		for (int side = 0; side < 2; side++) {
			if (!json_object_is_type(calls[side], json_type_object))
				continue;
			json_object_object_foreach(calls[side], name, val)
			{
				(void)val;
				snprintf(k, sizeof(k), "%s.%s", family_json[f], name);
				if (side == 0 || !vs_ctl_at(A, k))
					row(k, vs_ctl_num(A, k), vs_ctl_num(B, k));
			}
		}
		return;
	}
	for (int op = 0; op < VS_OP_COUNT; op++) {
		for (int c = 0; c < (f == VS_FAMILY_ENOMEM ? VS_CAUSE_COUNT : 1); c++) {
			if (f == VS_FAMILY_FAILURES)
				vs_ctl_family_key(k, sizeof(k), f, op_names[op], "ENOMEM");
			else if (f == VS_FAMILY_ENOMEM)
				vs_ctl_family_key(k, sizeof(k), f, cause_names[c], op_names[op]);
			else
				vs_ctl_family_key(k, sizeof(k), f, op_names[op], NULL);
			row(k, vs_ctl_num(A, k), vs_ctl_num(B, k));
		}
	}
}

static void verdict_row(json_object *A, json_object *B, const char *key)
{
	char path[64], ta[64], tb[64];

	snprintf(path, sizeof(path), "%s.%s", VS_VERDICT, key);
	if (strcmp(key, "first_failure") == 0)
		text_row(path, vs_ctl_first_failure(A, ta, sizeof(ta)),
			 vs_ctl_first_failure(B, tb, sizeof(tb)));
	else
		text_row(path, vs_ctl_text(A, path, ta, sizeof(ta)),
			 vs_ctl_text(B, path, tb, sizeof(tb)));
}

/* Keys that shape no load: where the figures go. */
static bool output_only(const char *path)
{
	return strncmp(path, "stats.", 6) == 0 || strncmp(path, "log.", 4) == 0;
}

static void note_differ(char *buf, size_t len, const char *key)
{
	size_t n = strlen(buf), k = strlen(key);

	for (const char *p = buf; (p = strstr(p, key)); p += k)
		if ((p == buf || p[-1] == ' ') && (p[k] == ',' || !p[k]))
			return; /* noted already (shape: a row and a config key) */
	if (n + strlen(key) + 8 < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", key);
	else if (n + 5 < len && strcmp(buf + n - 3, "...") != 0)
		snprintf(buf + n, len - n, ", ...");
}

/* Every leaf under `node` (of A's "config", or with b_only of B's: then only the
 * keys A lacks) whose values differ, printed and noted. */
static void config_rows(json_object *A, json_object *B, json_object *node, bool b_only,
			const char *prefix, char *load, char *outputs, size_t len)
{
	char path[128], ta[64], tb[64];

	json_object_object_foreach(node, key, val)
	{
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_object_is_type(val, json_type_object)) {
			config_rows(A, B, val, b_only, path, load, outputs, len);
			continue;
		}
		char full[160];
		snprintf(full, sizeof(full), "config.%s", path);
		if (b_only && vs_ctl_at(A, full))
			continue;
		vs_ctl_text(A, full, ta, sizeof(ta));
		vs_ctl_text(B, full, tb, sizeof(tb));
		if (strcmp(ta, tb) == 0)
			continue;
		text_row(full, ta, tb);
		note_differ(output_only(path) ? outputs : load, len, path);
	}
}

/* Both verdicts, first: does each host's limit hold the demand? */
static void verdict_rows(json_object *A, json_object *B)
{
#define VERDICT_ROW(key) verdict_row(A, B, #key);
	VS_VERDICT_KEYS(VERDICT_ROW)
#undef VERDICT_ROW
}

int vs_ctl_compare(const char *a, const char *b, const char *plot)
{
	char ta[64], tb[64], differ[512] = "";
	json_object *A = NULL, *B = NULL;
	int r;

	if ((r = vs_ctl_load_report(a, &A)) || (r = vs_ctl_load_report(b, &B))) {
		json_object_put(A);
		return r;
	}
	text_row("", a, b);
	if (json_object_is_type(vs_ctl_at(A, VS_VERDICT), json_type_object) ||
	    json_object_is_type(vs_ctl_at(B, VS_VERDICT), json_type_object))
		verdict_rows(A, B);
	/* Like for like first: only the limit should differ between two hosts' runs. */
	for (int i = 0; i < VS_STAT_COUNT; i++) {
		if (!(stat_flags[i] & VS_STAT_LIKE))
			continue;
		text_row(stat_json[i], vs_ctl_text(A, stat_json[i], ta, sizeof(ta)),
			 vs_ctl_text(B, stat_json[i], tb, sizeof(tb)));
		if (strcmp(ta, tb) != 0)
			snprintf(differ + strlen(differ), sizeof(differ) - strlen(differ), "%s%s",
				 *differ ? ", " : "", stat_json[i]);
	}
	/* Every configuration key that differs, both ways round. */
	char outputs[sizeof(differ)] = "";
	json_object *ca = vs_ctl_at(A, "config"), *cb = vs_ctl_at(B, "config");
	if (ca && cb) {
		config_rows(A, B, ca, false, "", differ, outputs, sizeof(differ));
		config_rows(A, B, cb, true, "", differ, outputs, sizeof(differ));
	} else
		note_differ(differ, sizeof(differ), "config (a report without it)");
	text_row(J(sequence), vs_ctl_text(A, J(sequence), ta, sizeof(ta)),
		 vs_ctl_text(B, J(sequence), tb, sizeof(tb)));
	for (int i = 0; i < VS_STAT_COUNT; i++)
		if (stat_flags[i] & VS_STAT_COMPARE)
			row(stat_json[i], vs_ctl_num(A, stat_json[i]), vs_ctl_num(B, stat_json[i]));
	for (int f = 0; f < VS_FAMILY_COUNT; f++)
		if (family_flags[f] & VS_STAT_COMPARE)
			family_rows(A, B, (enum vs_stat_family)f);
	row("headroom (limit - peak)",
	    vs_ctl_num(A, J(max_map_count)) - vs_ctl_num(A, J(map_count_peak)),
	    vs_ctl_num(B, J(max_map_count)) - vs_ctl_num(B, J(map_count_peak)));
	if (*differ)
		fprintf(stderr, "vmastressctl: note: the runs differ in %s: not like for like\n",
			differ);
	if (*outputs)
		fprintf(stderr, "vmastressctl: note: they also differ in outputs only: %s\n",
			outputs);
	json_object_put(A);
	json_object_put(B);
	if (plot) {
		char *paths[2] = {(char *)a, (char *)b};
		if ((r = vs_ctl_plot_files(paths, 2, plot)) != 0)
			return r;
		printf("plot: %s\n", plot);
	}
	return 0;
}
