/* summary.c: many --report files, one row each: where it ran, under which limit, what
 * load, and the verdict; as a table, JSON or CSV. Runs that are not like for like
 * (seeds, shapes, versions) are flagged. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ctl.h"

#define COLUMNS(X)                                                                                 \
	X(report, "report")                                                                        \
	X(host, "host")                                                                            \
	X(kernel, "kernel")                                                                        \
	X(limit, "limit")                                                                          \
	X(emulated_limit, "emulated")                                                              \
	X(shape, "shape")                                                                          \
	X(seed, "seed")                                                                            \
	X(demand, "demand")                                                                        \
	X(verdict, "verdict")                                                                      \
	X(first_failure, "first failure")                                                          \
	X(failures, "failures")                                                                    \
	X(leaked_bytes, "leaked bytes")                                                            \
	X(peak, "peak VMAs")                                                                       \
	X(version, "version")
#define COLUMN_ENUM(id, title) COL_##id,
enum { COLUMNS(COLUMN_ENUM) COL_COUNT };
#define COLUMN_KEY(id, title) #id,
static const char *const keys[COL_COUNT] = {COLUMNS(COLUMN_KEY)};
#define COLUMN_TITLE(id, title) title,
static const char *const titles[COL_COUNT] = {COLUMNS(COLUMN_TITLE)};

#define CELL_MAX 96
struct row {
	char cell[COL_COUNT][CELL_MAX];
	bool number[COL_COUNT]; /* JSON: a number, not a string */
	bool null[COL_COUNT];	/* JSON: null */
};

/* Failed calls of every op and errno. */
static double failures(json_object *r)
{
	json_object *f = vs_ctl_at(r, family_json[VS_FAMILY_FAILURES]);
	double n = 0;

	if (!json_object_is_type(f, json_type_object))
		return NAN;
	json_object_object_foreach(f, op, errs)
	{
		(void)op;
		if (!json_object_is_type(errs, json_type_object))
			continue;
		json_object_object_foreach(errs, e, v)
		{
			(void)e;
			n += json_object_get_double(v);
		}
	}
	return n;
}

static void fill(struct row *w, const char *path, json_object *r)
{
	const char *base = strrchr(path, '/');
	char ff[64];
	double v;

	snprintf(w->cell[COL_report], CELL_MAX, "%s", base ? base + 1 : path);
	vs_ctl_text(r, J(host), w->cell[COL_host], CELL_MAX);
	vs_ctl_text(r, J(kernel_release), w->cell[COL_kernel], CELL_MAX);
	vs_ctl_text(r, J(max_map_count), w->cell[COL_limit], CELL_MAX);
	vs_ctl_shape(r, w->cell[COL_shape], CELL_MAX);
	vs_ctl_text(r, J(seed), w->cell[COL_seed], CELL_MAX);
	vs_ctl_text(r, J(version), w->cell[COL_version], CELL_MAX);
	vs_ctl_text(r, J(leaked_bytes), w->cell[COL_leaked_bytes], CELL_MAX);
	vs_ctl_text(r, J(map_count_peak), w->cell[COL_peak], CELL_MAX);
	w->number[COL_limit] = w->number[COL_seed] = w->number[COL_leaked_bytes] = true;
	w->number[COL_peak] = w->number[COL_failures] = true;
	v = failures(r);
	snprintf(w->cell[COL_failures], CELL_MAX, isnan(v) ? "-" : "%.0f", v);
	json_object *verdict = vs_ctl_at(r, VS_VERDICT);
	if (!json_object_is_type(verdict, json_type_object)) { /* a run without a demand */
		for (int c = COL_emulated_limit; c <= COL_first_failure; c++)
			if (c != COL_shape && c != COL_seed) {
				snprintf(w->cell[c], CELL_MAX, "-");
				w->null[c] = true;
			}
		v = vs_ctl_num(r, "config.pressure.emulate_limit");
		if (v > 0)
			snprintf(w->cell[COL_emulated_limit], CELL_MAX, "%.0f", v),
			    w->null[COL_emulated_limit] = false,
			    w->number[COL_emulated_limit] = true;
		return;
	}
	vs_ctl_text(r, VS_VERDICT ".demand", w->cell[COL_demand], CELL_MAX);
	w->number[COL_demand] = true;
	v = vs_ctl_num(r, VS_VERDICT ".emulated_limit");
	if (isnan(v))
		snprintf(w->cell[COL_emulated_limit], CELL_MAX, "-"),
		    w->null[COL_emulated_limit] = true;
	else
		snprintf(w->cell[COL_emulated_limit], CELL_MAX, "%.0f", v),
		    w->number[COL_emulated_limit] = true;
	snprintf(w->cell[COL_verdict], CELL_MAX, "%s",
		 json_object_get_boolean(vs_ctl_at(r, VS_VERDICT ".held")) ? "held" : "not held");
	vs_ctl_first_failure(r, ff, sizeof(ff));
	snprintf(w->cell[COL_first_failure], CELL_MAX, "%s", ff);
	w->null[COL_first_failure] = strcmp(ff, "-") == 0;
}

static void print_json(struct row *rows, int n, const char *mismatch)
{
	json_object *top = json_object_new_object(), *list = json_object_new_array();

	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		for (int c = 0; c < COL_COUNT; c++) {
			const char *s = rows[i].cell[c];
			bool number = rows[i].number[c] && strcmp(s, "-") != 0;
			json_object *v = NULL;

			if (rows[i].null[c])
				;
			else if (number && c == COL_seed) /* 64 bits, unsigned */
				v = json_object_new_uint64(strtoull(s, NULL, 10));
			else if (number)
				v = json_object_new_int64(strtoll(s, NULL, 10));
			else
				v = json_object_new_string(s);
			json_object_object_add(o, keys[c], v);
		}
		json_object_array_add(list, o);
	}
	json_object_object_add(top, "reports", list);
	json_object *m = json_object_new_array();
	for (const char *p = mismatch; *p;) {
		size_t k = strcspn(p, ",");
		json_object_array_add(m, json_object_new_string_len(p, (int)k));
		p += k + (p[k] == ',');
	}
	json_object_object_add(top, "not_like_for_like", m);
	puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
}

static void print_csv(struct row *rows, int n)
{
	for (int c = 0; c < COL_COUNT; c++)
		printf("%s%s", c ? "," : "", keys[c]);
	putchar('\n');
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < COL_COUNT; c++) {
			const char *s = rows[i].null[c] ? "" : rows[i].cell[c];
			printf("%s\"", c ? "," : "");
			for (; *s; s++)
				printf(*s == '"' ? "\"\"" : "%c", *s);
			putchar('"');
		}
		putchar('\n');
	}
}

static void print_table(struct row *rows, int n)
{
	int width[COL_COUNT], held = 0, demands = 0;

	for (int c = 0; c < COL_COUNT; c++) {
		width[c] = (int)strlen(titles[c]);
		for (int i = 0; i < n; i++)
			if ((int)strlen(rows[i].cell[c]) > width[c])
				width[c] = (int)strlen(rows[i].cell[c]);
	}
	for (int c = 0; c < COL_COUNT; c++)
		printf("%-*s%s", width[c], titles[c], c + 1 < COL_COUNT ? "  " : "\n");
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < COL_COUNT; c++)
			printf(rows[i].number[c] ? "%*s%s" : "%-*s%s", width[c], rows[i].cell[c],
			       c + 1 < COL_COUNT ? "  " : "\n");
		held += strcmp(rows[i].cell[COL_verdict], "held") == 0;
		demands += !rows[i].null[COL_verdict];
	}
	printf("%d report%s; %d with a demand: %d held, %d not held\n", n, n == 1 ? "" : "s",
	       demands, held, demands - held);
}

/* "seed,shape" for the columns whose value is not the same in every report. */
static void like_for_like(struct row *rows, int n, char *buf, size_t len)
{
	static const int cols[] = {COL_seed, COL_shape, COL_version};
	size_t used = 0;

	buf[0] = 0;
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		for (int i = 1; i < n; i++)
			if (strcmp(rows[i].cell[cols[k]], rows[0].cell[cols[k]]) != 0) {
				used += (size_t)snprintf(buf + used, len - used, "%s%s",
							 used ? "," : "", keys[cols[k]]);
				break;
			}
}

int vs_ctl_summary(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"csv", no_argument, NULL, 'c'},
					     {"plot", required_argument, NULL, 'p'},
					     {0}};
	const char *plot = NULL;
	static struct row rows[VS_CTL_SUMMARY_MAX];
	char mismatch[64];
	int c, format = 0, n = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?') {
			fprintf(stderr, "vmastressctl: summary: unknown option %s\n",
				argv[optind - 1]);
			return VS_EX_USAGE;
		}
		if (c == 'p') {
			plot = optarg;
			continue;
		}
		if (format && format != c) {
			fprintf(stderr, "vmastressctl: summary: --json or --csv, not both\n");
			return VS_EX_USAGE;
		}
		format = c;
	}
	if (optind >= argc) {
		fprintf(stderr, "vmastressctl: summary: needs one or more report files\n");
		return VS_EX_USAGE;
	}
	if (argc - optind > VS_CTL_SUMMARY_MAX) {
		fprintf(stderr, "vmastressctl: summary: at most %d reports at once, got %d\n",
			VS_CTL_SUMMARY_MAX, argc - optind);
		return VS_EX_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		json_object *r;
		int e = vs_ctl_load_report(argv[i], &r);
		if (e)
			return e;
		memset(&rows[n], 0, sizeof(rows[n]));
		fill(&rows[n++], argv[i], r);
		json_object_put(r);
	}
	like_for_like(rows, n, mismatch, sizeof(mismatch));
	if (mismatch[0])
		fprintf(stderr,
			"vmastressctl: summary: not like for like: %s differ between the reports\n",
			mismatch);
	if (format == 'j')
		print_json(rows, n, mismatch);
	else if (format == 'c')
		print_csv(rows, n);
	else
		print_table(rows, n);
	if (plot) { /* the path after the table; beside JSON or CSV, on stderr */
		int r = vs_ctl_plot_files(argv + optind, n, plot);
		if (r)
			return r;
		fprintf(format ? stderr : stdout, "plot: %s\n", plot);
	}
	return 0;
}
