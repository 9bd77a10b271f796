/* config.c: libconfig file -> struct vs_config, validated, errors as FILE:LINE: key: what. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vmastress/config.h"
#include "vmastress/config_text.h"
#include "vmastress/profile.h"

enum key_type { KEY_UINT, KEY_SEED, KEY_FILL, KEY_STRING };

struct key {
	const char *path; /* "group.name" or "name" */
	enum key_type type;
	size_t off;
	long long min, max; /* KEY_UINT; KEY_STRING: max = buffer size */
};

#define OFF(f) offsetof(struct vs_config, f)
static const struct key keys[] = {
    {"workers", KEY_UINT, OFF(workers), 1, VS_WORKERS_MAX},
    {"seed", KEY_SEED, OFF(seed), 0, 0},
    {"duration", KEY_UINT, OFF(duration), 0, 31536000},
    {"profile", KEY_STRING, OFF(profile), 0, VS_PROFILE_MAX},
    {"mapping.min_pages", KEY_UINT, OFF(mapping.min_pages), 1, VS_PAGES_MAX},
    {"mapping.max_pages", KEY_UINT, OFF(mapping.max_pages), 1, VS_PAGES_MAX},
    {"mapping.separator_pages", KEY_UINT, OFF(mapping.separator_pages), 0, VS_SEPARATOR_MAX},
    {"mapping.touch_pages", KEY_UINT, OFF(mapping.touch_pages), 0, VS_PAGES_MAX},
    {"ops.mmap", KEY_UINT, OFF(ops.mmap), 0, VS_WEIGHT_MAX},
    {"ops.mprotect", KEY_UINT, OFF(ops.mprotect), 0, VS_WEIGHT_MAX},
    {"ops.munmap", KEY_UINT, OFF(ops.munmap), 0, VS_WEIGHT_MAX},
    {"ops.punch", KEY_UINT, OFF(ops.punch), 0, VS_WEIGHT_MAX},
    {"pressure.target_fill", KEY_FILL, OFF(pressure.target_fill), 0, 0},
    {"pressure.reserve", KEY_UINT, OFF(pressure.reserve), 0, 1000000},
    {"leaks.retry_interval_ms", KEY_UINT, OFF(leaks.retry_interval_ms), 10, 3600000},
    {"stats.socket", KEY_STRING, OFF(stats.socket), 0, VS_PATH_MAX},
    {"stats.textfile", KEY_STRING, OFF(stats.textfile), 0, VS_TEXTFILE_MAX},
    {"stats.textfile_interval", KEY_UINT, OFF(stats.textfile_interval), 1, 86400},
    {"log.summary_interval", KEY_UINT, OFF(log.summary_interval), 0, 86400},
    {"log.events_per_second", KEY_UINT, OFF(log.events_per_second), 0, 100000},
    {"accounting.verify_interval_ms", KEY_UINT, OFF(accounting.verify_interval_ms), 0, 3600000},
    {"accounting.sysctl_interval_ms", KEY_UINT, OFF(accounting.sysctl_interval_ms), 100, 3600000},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
static const char *const groups[] = {"mapping", "ops", "pressure",  "leaks",
				     "stats",	"log", "accounting"};

struct ctx {
	const char *file;
	const char *text; /* the file's bytes, for re-reading integers libconfig wrapped */
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct ctx *c, int line, const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->file, line, key, what);
	return -EINVAL;
}

static int get_uint(struct ctx *c, const config_setting_t *s, const struct key *k, void *dst)
{
	int line = (int)config_setting_source_line(s);
	int type = config_setting_type(s);
	unsigned long long raw;
	long long v;
	bool neg = false;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return fail(c, line, k->path, "expected an integer in %lld..%lld", k->min, k->max);
	v = type == CONFIG_TYPE_INT ? config_setting_get_int(s) : config_setting_get_int64(s);
	int r = vs_config_raw_integer(c->text, line, config_setting_name(s), &raw, &neg);
	if (r == -ERANGE)
		return fail(c, line, k->path, "integer too large");
	if (k->type == KEY_SEED) {
		if (neg || (r != 0 && v < 0))
			return fail(c, line, k->path, "must not be negative");
		*(uint64_t *)dst = r == 0 ? raw : (uint64_t)v;
		return 0;
	}
	if (r == 0 && !neg && (raw > (unsigned long long)k->max || (long long)raw != v))
		return fail(c, line, k->path, "value %llu is out of range %lld..%lld", raw, k->min,
			    k->max);
	if (v < k->min || v > k->max)
		return fail(c, line, k->path, "value %lld is out of range %lld..%lld", v, k->min,
			    k->max);
	*(unsigned *)dst = (unsigned)v;
	return 0;
}

static int get_fill(struct ctx *c, const config_setting_t *s, const struct key *k, void *dst)
{
	int line = (int)config_setting_source_line(s);
	int type = config_setting_type(s);
	double v;

	if (type == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (type == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else
		return fail(c, line, k->path, "expected a number in (0, 1]");
	if (!(v > 0.0 && v <= 1.0))
		return fail(c, line, k->path, "%g is out of range (0, 1]", v);
	*(double *)dst = v;
	return 0;
}

static int get_string(struct ctx *c, const config_setting_t *s, const struct key *k, void *dst)
{
	int line = (int)config_setting_source_line(s);
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c, line, k->path, "expected a string");
	v = config_setting_get_string(s);
	if (!*v)
		return fail(c, line, k->path, "must not be empty");
	if (strlen(v) >= (size_t)k->max)
		return fail(c, line, k->path, "longer than %lld bytes", k->max - 1);
	if (k->off == OFF(profile) && !vs_profile_known(v))
		return fail(c, line, k->path, "unknown profile \"%s\" (known: %s)", v,
			    vs_profile_names());
	if (k->off == OFF(stats.socket) && strcmp(v, "none") != 0 && v[0] != '/')
		return fail(c, line, k->path, "must be an absolute path or \"none\"");
	if (k->off == OFF(stats.textfile) &&
	    (v[0] != '/' || strlen(v) < 6 || strcmp(v + strlen(v) - 5, ".prom") != 0))
		return fail(c, line, k->path, "must be an absolute path ending in .prom");
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static const struct key *find_key(const char *path)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

static bool is_group(const char *name)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i], name) == 0)
			return true;
	return false;
}

static int apply_setting(struct ctx *c, struct vs_config *cfg, const config_setting_t *s,
			 const char *path)
{
	const struct key *k = find_key(path);
	int line = (int)config_setting_source_line(s);
	void *dst;

	if (!k)
		return fail(c, line, path, "unknown key");
	if (config_setting_is_aggregate(s))
		return fail(c, line, path, "expected a value, not a group or list");
	dst = (char *)cfg + k->off;
	switch (k->type) {
	case KEY_UINT:
	case KEY_SEED:
		return get_uint(c, s, k, dst);
	case KEY_FILL:
		return get_fill(c, s, k, dst);
	case KEY_STRING:
		return get_string(c, s, k, dst);
	}
	return -EINVAL;
}

static int apply_tree(struct ctx *c, struct vs_config *cfg, const config_setting_t *root)
{
	char path[96];
	int r;

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		int line = (int)config_setting_source_line(s);

		if (!is_group(name)) {
			if ((r = apply_setting(c, cfg, s, name)) < 0)
				return r;
			continue;
		}
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			return fail(c, line, name, "expected a group { ... }");
		for (int j = 0; j < config_setting_length(s); j++) {
			const config_setting_t *m = config_setting_get_elem(s, (unsigned)j);
			snprintf(path, sizeof(path), "%s.%s", name, config_setting_name(m));
			if ((r = apply_setting(c, cfg, m, path)) < 0)
				return r;
		}
	}
	return 0;
}

static int line_of(const config_t *lc, const char *path)
{
	const config_setting_t *s = config_lookup(lc, path);
	int line = s ? (int)config_setting_source_line(s) : 0;

	/* libconfig 1.5 gives groups no line: use their first member's. */
	if (s && !line && config_setting_is_group(s) && config_setting_length(s) > 0)
		line = (int)config_setting_source_line(config_setting_get_elem(s, 0));
	return line;
}

/* Rules between keys, reported at the line of the key that breaks them. */
static int cross_check(struct ctx *c, const struct vs_config *cfg, const config_t *lc)
{
	char err[256];
	int r = vs_config_validate(cfg, err, sizeof(err));

	if (r == 0)
		return 0;
	/* err is "key: what"; find that key's line in the file. */
	char key[64];
	const char *colon = strchr(err, ':');
	size_t n = colon ? (size_t)(colon - err) : 0;
	if (n >= sizeof(key))
		n = 0;
	memcpy(key, err, n);
	key[n] = 0;
	int line = lc ? line_of(lc, key) : 0;
	/* A rule broken by a default: point at the group the file did set. */
	char *dot = strchr(key, '.');
	if (lc && !line && dot) {
		*dot = 0;
		line = line_of(lc, key);
		*dot = '.';
	}
	snprintf(c->err, c->errlen, "%s:%d: %s", c->file, line, err);
	return r;
}

int vs_config_validate(const struct vs_config *cfg, char *err, size_t errlen)
{
	unsigned total = cfg->ops.mmap + cfg->ops.mprotect + cfg->ops.munmap + cfg->ops.punch;

	if (cfg->mapping.min_pages > cfg->mapping.max_pages) {
		snprintf(err, errlen, "mapping.max_pages: %u is below mapping.min_pages (%u)",
			 cfg->mapping.max_pages, cfg->mapping.min_pages);
		return -EINVAL;
	}
	if (cfg->ops.mmap == 0 || total == cfg->ops.mmap) {
		snprintf(err, errlen,
			 "ops.mmap: needs a weight > 0 and at least one other "
			 "operation with a weight > 0");
		return -EINVAL;
	}
	if (cfg->ops.munmap == 0) {
		snprintf(err, errlen, "ops.munmap: must be > 0, or regions are never unmapped");
		return -EINVAL;
	}
	return 0;
}

static void apply_overrides(struct vs_config *cfg, const struct vs_overrides *ov)
{
	if (!ov)
		return;
	if (ov->has_workers)
		cfg->workers = ov->workers;
	if (ov->has_seed)
		cfg->seed = ov->seed;
	if (ov->has_duration)
		cfg->duration = ov->duration;
	if (ov->has_socket)
		snprintf(cfg->stats.socket, sizeof(cfg->stats.socket), "%s", ov->socket);
}

int vs_config_load(struct vs_config *cfg, const char *path, bool must_exist,
		   const struct vs_overrides *ov, char *err, size_t errlen)
{
	struct ctx c = {.file = path ? path : "(defaults)", .err = err, .errlen = errlen};
	const char *profile = ov && ov->has_profile ? ov->profile : "guarded";
	char *text = NULL;
	config_t lc;
	int r;

	err[0] = 0;
	if (path) {
		r = vs_config_read_text(path, &text, err, errlen);
		if (r == -ENOENT && !must_exist)
			path = NULL;
		else if (r < 0) {
			if (!err[0])
				snprintf(err, errlen, "%s:0: file: cannot read: %s", path,
					 strerror(-r));
			return r;
		}
	}
	if (!path) {
		if (vs_profile_apply(cfg, profile) < 0) {
			snprintf(err, errlen,
				 "command line: profile: unknown profile \"%s\" "
				 "(known: %s)",
				 profile, vs_profile_names());
			return -EINVAL;
		}
		apply_overrides(cfg, ov);
		r = vs_config_validate(cfg, err, errlen);
		return r;
	}
	c.text = text;
	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		r = fail(&c, config_error_line(&lc), "syntax", "%s", config_error_text(&lc));
		goto out;
	}
	if (!(ov && ov->has_profile)) {
		const config_setting_t *s = config_lookup(&lc, "profile");
		if (s) {
			char name[VS_PROFILE_MAX];
			r = get_string(&c, s, find_key("profile"), name);
			if (r < 0)
				goto out;
			profile = config_setting_get_string(s);
		}
	}
	if (vs_profile_apply(cfg, profile) < 0) {
		r = -EINVAL;
		snprintf(err, errlen, "command line: profile: unknown profile \"%s\" (known: %s)",
			 profile, vs_profile_names());
		goto out;
	}
	r = apply_tree(&c, cfg, config_root_setting(&lc));
	if (r < 0)
		goto out;
	/* The profile named on the command line wins over the file's `profile`. */
	snprintf(cfg->profile, sizeof(cfg->profile), "%s", profile);
	apply_overrides(cfg, ov);
	r = cross_check(&c, cfg, &lc);
out:
	config_destroy(&lc);
	free(text);
	return r;
}

void vs_config_print(const struct vs_config *cfg, FILE *out)
{
	fprintf(out,
		"workers = %u;\nseed = %llu;\nduration = %u;\nprofile = \"%s\";\n"
		"mapping = { min_pages = %u; max_pages = %u; separator_pages = %u; "
		"touch_pages = %u; };\n"
		"ops = { mmap = %u; mprotect = %u; munmap = %u; punch = %u; };\n"
		"pressure = { target_fill = %.4g; reserve = %u; };\n"
		"leaks = { retry_interval_ms = %u; };\n"
		"stats = { socket = \"%s\"; textfile = \"%s\"; textfile_interval = %u; };\n"
		"log = { summary_interval = %u; events_per_second = %u; };\n"
		"accounting = { verify_interval_ms = %u; sysctl_interval_ms = %u; };\n",
		cfg->workers, (unsigned long long)cfg->seed, cfg->duration, cfg->profile,
		cfg->mapping.min_pages, cfg->mapping.max_pages, cfg->mapping.separator_pages,
		cfg->mapping.touch_pages, cfg->ops.mmap, cfg->ops.mprotect, cfg->ops.munmap,
		cfg->ops.punch, cfg->pressure.target_fill, cfg->pressure.reserve,
		cfg->leaks.retry_interval_ms, cfg->stats.socket, cfg->stats.textfile,
		cfg->stats.textfile_interval, cfg->log.summary_interval, cfg->log.events_per_second,
		cfg->accounting.verify_interval_ms, cfg->accounting.sysctl_interval_ms);
}
