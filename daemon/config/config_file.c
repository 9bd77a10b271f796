/* config_file.c: reading the configuration file (libconfig): every setting to its row
 * of the key table, each error as FILE:LINE: key: what; the command line's keys
 * over it; a reload's frozen keys kept. The table, the rules between keys and the
 * defaults are config.c's. */
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "config_internal.h"
#include "vmastress/config/config_text.h"

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

static int get_uint(struct ctx *c, const config_setting_t *s, const struct vs_config_key_info *k,
		    void *dst)
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
	if (k->type == VS_KEY_SEED) {
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

static int get_fill(struct ctx *c, const config_setting_t *s, const struct vs_config_key_info *k,
		    void *dst)
{
	const char *path = k->path;
	int line = (int)config_setting_source_line(s);
	int type = config_setting_type(s);
	double v;

	if (type == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (type == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else
		return fail(c, line, path, "expected a number in (0, 1]");
	if (!(v > 0.0 && v <= 1.0))
		return fail(c, line, path, "%g is out of range (0, 1]", v);
	*(double *)dst = v;
	return 0;
}

static int get_string(struct ctx *c, const config_setting_t *s, const struct vs_config_key_info *k,
		      void *dst)
{
	const char *path = k->path;
	int line = (int)config_setting_source_line(s);
	char what[192];
	const char *v;

	char joined[512];
	if ((k->flags & VS_KEY_LIST) && (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
					 config_setting_type(s) == CONFIG_TYPE_LIST)) {
		/* a list of strings, kept space-separated; an empty one: any ("*") */
		size_t at = 0;
		joined[0] = 0;
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			const char *x = config_setting_get_string(e);
			if (!x || !*x || strchr(x, ' '))
				return fail(c, line, path,
					    "element %d: expected a string without spaces", i + 1);
			int n = snprintf(joined + at, sizeof(joined) - at, "%s%s", at ? " " : "", x);
			if (n < 0 || (size_t)n >= sizeof(joined) - at)
				return fail(c, line, path, "longer than %zu bytes", k->size - 1);
			at += (size_t)n;
		}
		v = at ? joined : "*";
	} else if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c, line, path,
			    (k->flags & VS_KEY_LIST) ? "expected a string or a list of strings"
						     : "expected a string");
	else
		v = config_setting_get_string(s);
	if (*vs_config_check_string(k, v, what, sizeof(what)))
		return fail(c, line, path, "%s", what);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* A group is the part before the dot of some key's path. */
static bool is_group(const char *name)
{
	const struct vs_config_key_info *ki;
	size_t n = strlen(name);

	for (unsigned i = 0; (ki = vs_config_key(i)); i++)
		if (strncmp(ki->path, name, n) == 0 && ki->path[n] == '.')
			return true;
	return false;
}

static int apply_setting(struct ctx *c, struct vs_config *cfg, const config_setting_t *s,
			 const char *path)
{
	const struct vs_config_key_info *k = vs_config_key_find(path);
	int line = (int)config_setting_source_line(s);
	void *dst;

	if (!k)
		return fail(c, line, path, "unknown key");
	if (config_setting_is_aggregate(s) &&
	    !((k->flags & VS_KEY_LIST) && config_setting_type(s) != CONFIG_TYPE_GROUP))
		return fail(c, line, path, "expected a value, not a group or list");
	dst = vs_config_at(cfg, k);
	switch (k->type) {
	case VS_KEY_UINT:
	case VS_KEY_SEED:
		return get_uint(c, s, k, dst);
	case VS_KEY_FILL:
		return get_fill(c, s, k, dst);
	case VS_KEY_STRING:
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

		if (!is_group(name)) { /* `profile`: the key `shape`'s old name, an alias */
			if ((r = apply_setting(c, cfg, s,
					       strcmp(name, "profile") ? name : KEY(shape))) < 0)
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

/* The shape a source asks for: the command line's, else the file's (`shape`, or
 * its old name `profile`). */
static int pick_shape(struct ctx *c, const config_t *lc, const struct vs_overrides *ov, char *out)
{
	const config_setting_t *s;

	if (ov->has[VS_KEY_shape]) {
		memcpy(out, ov->v.shape, sizeof(ov->v.shape));
		return 0;
	}
	memcpy(out, vs_config_builtin.shape, sizeof(vs_config_builtin.shape));
	s = lc ? config_lookup(lc, KEY(shape)) : NULL;
	const config_setting_t *alias = lc ? config_lookup(lc, "profile") : NULL;
	if (s && alias)
		return fail(c, (int)config_setting_source_line(alias), "profile",
			    "and shape name one thing: give one of them");
	if (alias)
		s = alias;
	return s ? get_string(c, s, &vs_config_keys[VS_KEY_shape], out) : 0;
}

int vs_config_load(struct vs_config *cfg, const struct vs_config_source *src, char *err,
		   size_t errlen)
{
	const char *path = src->path;
	struct ctx c = {.file = path ? path : "(defaults)", .err = err, .errlen = errlen};
	char shape[VS_SHAPE_NAME_MAX], *text = NULL;
	config_t lc, *have = NULL;
	int r;

	err[0] = 0;
	if (path) {
		r = vs_config_read_text(path, &text, err, errlen);
		if (r == -ENOENT && !src->must_exist)
			path = NULL;
		else if (r < 0) {
			if (!err[0])
				snprintf(err, errlen, "%s:0: file: cannot read: %s", path,
					 strerror(-r));
			return r;
		}
	}
	if (path) {
		c.text = text;
		config_init(&lc);
		have = &lc;
		if (config_read_string(&lc, text) != CONFIG_TRUE) {
			r = fail(&c, config_error_line(&lc), "syntax", "%s",
				 config_error_text(&lc));
			goto out;
		}
	}
	if ((r = pick_shape(&c, have, &src->ov, shape)) < 0)
		goto out;
	vs_config_defaults(cfg, shape);
	if (have && (r = apply_tree(&c, cfg, config_root_setting(have))) < 0)
		goto out;
	/* The shape named on the command line wins over the file's `shape`. */
	memcpy(cfg->shape, shape, sizeof(shape));
	if (src->one_off && !src->must_exist) {
		snprintf(cfg->stats_socket, sizeof(cfg->stats_socket), "none");
		cfg->stats_textfile[0] = 0;
	}
	vs_config_apply_overrides(cfg, &src->ov);
	vs_config_resolve_textfile(cfg);
	r = cross_check(&c, cfg, have);
out:
	if (have)
		config_destroy(have);
	free(text);
	return r;
}

int vs_config_reload(struct vs_config *next, const struct vs_config_source *src,
		     const struct vs_config *running, char *frozen, size_t frozenlen, char *err,
		     size_t errlen)
{
	int r = vs_config_load(next, src, err, errlen);

	if (frozen && frozenlen)
		frozen[0] = 0;
	if (r < 0)
		return r;
	const struct vs_config_key_info *ki;
	for (unsigned k = 0; (ki = vs_config_key(k)); k++) {
		void *dst = vs_config_at(next, ki);
		const void *now = vs_config_value(running, ki);

		if (!(ki->flags & VS_KEY_FROZEN))
			continue;
		/* seed 0 means "the one picked at start": not a change. */
		bool asked = !(k == VS_KEY_seed && next->seed == 0);
		if (asked && memcmp(dst, now, ki->size) != 0 && frozen)
			snprintf(frozen + strlen(frozen), frozenlen - strlen(frozen), "%s%s",
				 frozen[0] ? ", " : "", ki->path);
		memcpy(dst, now, ki->size);
	}
	return 0;
}
