/* json.c: what the client's commands read from JSON (json-c): the tables of stats.h
 * as keys, dotted paths, numbers and text, and the --report loader that compare,
 * summary and plot share. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ctl.h"

#define JSON_KEY(f, src, fmt, json, ...) json,
const char *const stat_json[VS_STAT_COUNT] = {VS_STATS(JSON_KEY)};
#define STAT_FLAGS(f, src, fmt, json, metric, type, flags, ...) flags,
const unsigned stat_flags[VS_STAT_COUNT] = {VS_STATS(STAT_FLAGS)};
#define FAMILY_JSON(id, json, metric, flags, help) json,
const char *const family_json[VS_FAMILY_COUNT] = {VS_STAT_FAMILIES(FAMILY_JSON)};
#define FAMILY_FLAGS(id, json, metric, flags, help) flags,
const unsigned family_flags[VS_FAMILY_COUNT] = {VS_STAT_FAMILIES(FAMILY_FLAGS)};
#define NAME(id, name) name,
const char *const op_names[VS_OP_COUNT] = {VS_OPS(NAME)};
const char *const cause_names[VS_CAUSE_COUNT] = {VS_ENOMEM_CAUSES(NAME)};

/* text -> a JSON object, or NULL with the parser's reason in err. */
json_object *vs_ctl_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || !json_object_is_type(o, json_type_object)) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		snprintf(err, errlen, "not JSON: %s at byte %zu",
			 o			      ? "not an object"
			 : e == json_tokener_continue ? "unexpected end"
						      : json_tokener_error_desc(e),
			 json_tokener_get_parse_end(tok));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* The value at a dotted key path ("failures.munmap.ENOMEM"), or NULL. */
json_object *vs_ctl_at(json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

/* A number at path; NAN when absent, null or not a number. */
double vs_ctl_num(json_object *o, const char *path)
{
	json_object *v = vs_ctl_at(o, path);

	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return NAN;
	return json_object_get_double(v);
}

/* The value at path as text ("-" when absent); 64-bit integers stay exact. */
const char *vs_ctl_text(json_object *o, const char *path, char *buf, size_t len)
{
	json_object *v = vs_ctl_at(o, path);

	if (!v || json_object_is_type(v, json_type_null))
		snprintf(buf, len, "-");
	else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) < 0)
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
	else if (json_object_is_type(v, json_type_int))
		snprintf(buf, len, "%llu", (unsigned long long)json_object_get_uint64(v));
	else
		snprintf(buf, len, "%s", json_object_get_string(v));
	return buf;
}

const char *vs_ctl_shape(json_object *o, char *buf, size_t len)
{
	if (!strcmp(vs_ctl_text(o, J(shape), buf, len), "-"))
		vs_ctl_text(o, J(profile), buf, len);
	return buf;
}

/* verdict.first_failure as "mprotect ENOMEM at 65529", or "-". */
const char *vs_ctl_first_failure(json_object *o, char *buf, size_t len)
{
	json_object *f = vs_ctl_at(o, VS_VERDICT ".first_failure");
	char op[24], err[24];

	if (!f || !json_object_is_type(f, json_type_object))
		return snprintf(buf, len, "-"), buf;
	snprintf(buf, len, "%s %s at %.0f", vs_ctl_text(f, "op", op, sizeof(op)),
		 vs_ctl_text(f, "errno", err, sizeof(err)), vs_ctl_map_count(f));
	return buf;
}

void vs_ctl_family_key(char *buf, size_t len, enum vs_stat_family f, const char *a, const char *b)
{
	snprintf(buf, len, "%s.%s%s%s", family_json[f], a, b ? "." : "", b ? b : "");
}

double vs_ctl_failures(json_object *s, char *buf, size_t len, double *unexpected)
{
	json_object *f = vs_ctl_at(s, family_json[VS_FAMILY_FAILURES]);
	double total = 0;
	size_t at = 0;

	buf[0] = 0;
	*unexpected = 0;
	if (json_object_is_type(f, json_type_object)) {
		json_object_object_foreach(f, op, errnos)
		{
			if (!json_object_is_type(errnos, json_type_object))
				continue;
			json_object_object_foreach(errnos, e, n)
			{
				double v = json_object_get_double(n);
				if (v <= 0)
					continue;
				total += v;
				if (strcmp(e, "ENOMEM") != 0)
					*unexpected += v;
				if (at < len)
					at += (size_t)snprintf(buf + at, len - at, "%s%s %s %.0f",
							       at ? ", " : "", op, e, v);
			}
		}
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return total;
}

#define REPORT_MAX (256u << 20) /* a report at 4 Mi leaked regions is ~ 300 MiB */

int vs_ctl_load_report(const char *path, json_object **out)
{
	char err[256];
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		fprintf(stderr, "vmastressctl: %s: %s\n", path, strerror(errno));
		return errno == ENOENT ? VS_EX_NOINPUT : VS_EX_NOPERM;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= REPORT_MAX &&
	    (buf = malloc((size_t)st.st_size + 1)))
		n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	if (!buf) {
		fprintf(stderr, "vmastressctl: %s: not a regular file under %u MiB\n", path,
			REPORT_MAX >> 20);
		return VS_EX_DATAERR;
	}
	*out = vs_ctl_parse(buf, n, err, sizeof(err));
	free(buf);
	if (!*out || isnan(vs_ctl_num(*out, J(max_map_count)))) {
		fprintf(stderr, "vmastressctl: %s: %s\n", path,
			*out ? "not a vmastressd report (no max_map_count)" : err);
		json_object_put(*out);
		*out = NULL; /* the caller puts what it got, once */
		return VS_EX_DATAERR;
	}
	return 0;
}

/* A VMA count in an object (a listed process, a first failure, a sample, a peak):
 * map_count, or "vmas" from a daemon of the last release. */
const char *vs_ctl_workload(json_object *p, char *buf, size_t len)
{
	/* a daemon before workloads: its unit */
	if (strcmp(vs_ctl_text(p, "workload.name", buf, len), "-") == 0 &&
	    strcmp(vs_ctl_text(p, "unit", buf, len), "") == 0)
		snprintf(buf, len, "-");
	return buf;
}

double vs_ctl_map_count(json_object *p)
{
	double n = vs_ctl_num(p, "map_count");
	return isnan(n) ? vs_ctl_num(p, "vmas") : n;
}

bool vs_ctl_number(const char *text, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(text, &end);
	return end != text && !*end && !errno && isfinite(*v);
}
