/* config_print.c: `-t`, the effective configuration in libconfig syntax that loads
 * back to the same configuration (strings escaped, fills exact, unset keys said). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmastress/config/config.h"

/* A string as libconfig reads it back: quotes, backslashes and control
 * characters escaped. */
static void print_string(const char *v, FILE *out)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p == '\r')
			fputs("\\r", out);
		else if (*p == '\f')
			fputs("\\f", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* The shortest decimal that reads back as the same double, always with a
 * point or an exponent (libconfig reads "1" as an integer). */
static void print_fill(double v, FILE *out)
{
	char buf[40];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
	if (!strpbrk(buf, ".eEn"))
		fputs(".0", out);
}

static void print_value(const struct vs_config *cfg, const struct vs_config_key_info *ki, FILE *out)
{
	const void *v = vs_config_value(cfg, ki);
	const char *name = strchr(ki->path, '.');

	name = name ? name + 1 : ki->path;
	/* Unset (a number below its minimum, an empty string): a comment that
	 * says so, never a value outside the key's range. */
	if ((ki->type == VS_KEY_UINT && *(const unsigned *)v < ki->min) ||
	    (ki->type == VS_KEY_STRING && !*(const char *)v)) {
		fprintf(out, "#%s: unset; # %s", name, ki->doc);
		if (ki->type == VS_KEY_UINT)
			fprintf(out, " (%lld..%lld)", ki->min, ki->max);
		fputc('\n', out);
		return;
	}
	fprintf(out, "%s = ", name);
	switch (ki->type) {
	case VS_KEY_UINT:
		fprintf(out, "%u", *(const unsigned *)v);
		break;
	case VS_KEY_SEED:
		fprintf(out, "%lluL", (unsigned long long)*(const uint64_t *)v);
		break;
	case VS_KEY_FILL:
		print_fill(*(const double *)v, out);
		break;
	case VS_KEY_STRING:
		print_string((const char *)v, out);
		break;
	}
	fprintf(out, "; # %s", ki->doc);
	if (ki->type == VS_KEY_UINT)
		fprintf(out, " (%lld..%lld)", ki->min, ki->max);
	fputc('\n', out);
}

void vs_config_print(const struct vs_config *cfg, FILE *out)
{
	size_t open = 0; /* length of the open group's name, 0: none */
	const struct vs_config_key_info *ki, *prev = NULL;

	for (unsigned k = 0; (ki = vs_config_key(k)); prev = ki, k++) {
		const char *path = ki->path, *dot = strchr(path, '.');
		size_t group = dot ? (size_t)(dot - path) : 0;

		if (open && (group != open || strncmp(path, prev->path, open)))
			fputs("};\n", out), open = 0;
		if (group && !open)
			fprintf(out, "%.*s = {\n", (int)group, path), open = group;
		fputs(open ? "  " : "", out);
		print_value(cfg, ki, out);
	}
	if (open)
		fputs("};\n", out);
}
