/* config.c: the key table's owner: the core's rows and every shape's, the defaults
 * and a shape's presets over them, what a string key accepts, the rules between
 * keys, command-line overrides. Reading the file is config_file.c's, `-t`
 * config_print.c's. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "config_internal.h"
#include "vmastress/config/config.h"
#include "vmastress/model/vma.h"
#include "vmastress/shapes/shape.h"

#define KEY_INFO(f, p, ty, lo, hi, dflt, fl, ch, text)                                             \
	[VS_KEY_##f] = {.path = p,                                                                 \
			.type = VS_KEY_##ty,                                                       \
			.offset = offsetof(struct vs_config, f),                                   \
			.size = sizeof(((struct vs_config *)0)->f),                                \
			.min = lo,                                                                 \
			.max = hi,                                                                 \
			.flags = fl,                                                               \
			.choices = ch,                                                             \
			.doc = text},
const struct vs_config_key_info vs_config_keys[VS_KEY_COUNT] = {VS_CONFIG_KEYS(KEY_INFO)};

#define KEY_DEFAULT(f, path, type, min, max, def, ...) .f = def,
const struct vs_config vs_config_builtin = {VS_CONFIG_KEYS(KEY_DEFAULT)};

const struct vs_config_key_info *vs_config_key(unsigned i)
{
	if (i < VS_KEY_COUNT)
		return &vs_config_keys[i];
	i -= VS_KEY_COUNT;
	for (unsigned s = 0; vs_shapes[s]; i -= vs_shapes[s++]->nkeys)
		if (i < vs_shapes[s]->nkeys)
			return &vs_shapes[s]->keys[i];
	return NULL;
}

const struct vs_config_key_info *vs_config_key_find(const char *path)
{
	const struct vs_config_key_info *ki;

	for (unsigned i = 0; (ki = vs_config_key(i)); i++)
		if (strcmp(ki->path, path) == 0)
			return ki;
	return NULL;
}

/* "a|b|c" accepts v; else the list as "a, b or c" in what. */
static bool one_of(const char *choices, const char *v, char *what, size_t len)
{
	size_t n = strlen(v), used;
	const char *c, *bar;

	for (c = choices; c; c = (bar = strchr(c, '|')) ? bar + 1 : NULL)
		if (strncmp(c, v, n) == 0 && (c[n] == '|' || !c[n]))
			return true;
	used = (size_t)snprintf(what, len, "\"%s\" is not ", v);
	for (c = choices; c && used < len; c = bar ? bar + 1 : NULL) {
		bar = strchr(c, '|');
		const char *sep = !bar ? "" : strchr(bar + 1, '|') ? ", " : " or ";
		used += (size_t)snprintf(what + used, len - used, "%.*s%s",
					 bar ? (int)(bar - c) : (int)strlen(c), c, sep);
	}
	return false;
}

/* What a string key accepts beyond its length; "" when fine. */
const char *vs_config_check_string(const struct vs_config_key_info *ki, const char *v, char *what,
				   size_t len)
{
	enum vs_config_key k = 0; /* the core key's id; VS_KEY_COUNT: a shape's key */
	size_t n = strlen(v);

	while (k < VS_KEY_COUNT && &vs_config_keys[k] != ki)
		k++;
	what[0] = 0;
	if (!*v)
		snprintf(what, len, "must not be empty");
	else if (n >= ki->size)
		snprintf(what, len, "longer than %zu bytes", ki->size - 1);
	else if (ki->choices && !one_of(ki->choices, v, what, len))
		; /* one_of() said what it accepts */
	else if ((ki->flags & VS_KEY_ABSOLUTE) && v[0] != '/')
		snprintf(what, len, "must be an absolute path");
	else if (k == VS_KEY_shape && !vs_shape_find(v))
		snprintf(what, len, "unknown shape \"%s\" (known: %s)", v, vs_shape_names());
	else if (k == VS_KEY_stats_socket && strcmp(v, "none") != 0 && v[0] != '/')
		snprintf(what, len, "must be an absolute path or \"none\"");
	else if (k == VS_KEY_stats_textfile && strcmp(v, "auto") != 0 &&
		 (v[0] != '/' || n < 6 || strcmp(v + n - 5, ".prom") != 0))
		snprintf(what, len, "must be an absolute path ending in .prom, or \"auto\"");
	return what;
}

/* stats.textfile = "auto": in node_exporter's textfile directory where one
 * exists (Debian's, then Fedora's), vmastress.prom or, in watch mode,
 * vmastress-watch.prom; off where none does. */
void vs_config_resolve_textfile(struct vs_config *cfg)
{
	static const char *const dirs[] = {"/var/lib/prometheus/node-exporter",
					   "/var/lib/node_exporter/textfile_collector"};
	struct stat st;

	if (strcmp(cfg->stats_textfile, "auto") != 0)
		return;
	cfg->stats_textfile[0] = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(cfg->stats_textfile, sizeof(cfg->stats_textfile), "%s/%s", dirs[i],
				 cfg->watch_enabled ? "vmastress-watch.prom" : "vmastress.prom");
			return;
		}
}

/* The ballast an emulated limit needs must fit: the sysctl is above it, and
 * the kernel memory it pins is bounded. */
static int check_emulation(const struct vs_config *cfg, char *err, size_t errlen)
{
	long limit, ballast;
	int r = vs_vma_read_limit(NULL, &limit);

	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read %s: %s", KEY(pressure_emulate_limit),
			 VS_SYSCTL_MAX_MAP_COUNT, strerror(-r));
		return -EINVAL;
	}
	ballast = limit - (long)cfg->pressure_emulate_limit;
	if (ballast < 0) {
		snprintf(err, errlen,
			 "%s: %u is above vm.max_map_count (%ld): only a lower limit can be "
			 "emulated",
			 KEY(pressure_emulate_limit), cfg->pressure_emulate_limit, limit);
		return -EINVAL;
	}
	if (ballast > VS_BALLAST_MAX) {
		snprintf(err, errlen,
			 "%s: %u under vm.max_map_count %ld needs %ld ballast VMAs, more than "
			 "%d: they would pin about %ld MiB of kernel memory",
			 KEY(pressure_emulate_limit), cfg->pressure_emulate_limit, limit, ballast,
			 VS_BALLAST_MAX, ballast * VS_KERNEL_BYTES_PER_VMA >> 20);
		return -EINVAL;
	}
	return 0;
}

int vs_config_budget(const char *text, double *share, uint64_t *bytes)
{
	char *end;
	double v;

	*share = 0;
	*bytes = 0;
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !(v > 0))
		return -EINVAL;
	if (strcmp(end, "%") == 0) {
		if (v > 100)
			return -EINVAL;
		*share = v / 100.0;
		return 0;
	}
	static const char units[] = "KMG";
	const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (*end && (!u || (end[1] && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)))
		return -EINVAL;
	for (const char *k = units; u && k <= u; k++)
		v *= 1024.0;
	if (v < 1 || v > 1e18 || (!*end && v != (double)(uint64_t)v))
		return -EINVAL;
	*bytes = (uint64_t)v;
	return 0;
}

/* The raise policy's keys, beyond each one's range. */
static int check_raise(const struct vs_config *cfg, char *err, size_t errlen)
{
	double share;
	uint64_t bytes;

	if (cfg->raise_at >= 1.0) {
		snprintf(err, errlen,
			 "%s: %g is not below 1: the raise must come before the limit is reached",
			 KEY(raise_at), cfg->raise_at);
		return -EINVAL;
	}
	if (vs_config_budget(cfg->raise_kernel_budget, &share, &bytes) < 0) {
		snprintf(err, errlen,
			 "%s: \"%s\" is neither a share of MemTotal (\"2%%\", in (0, 100]) nor a "
			 "byte count (\"268435456\", \"256M\", \"1G\")",
			 KEY(raise_kernel_budget), cfg->raise_kernel_budget);
		return -EINVAL;
	}
	return 0;
}

int vs_config_validate(const struct vs_config *cfg, char *err, size_t errlen)
{
	unsigned total = cfg->ops_mmap + cfg->ops_mprotect + cfg->ops_munmap + cfg->ops_punch;
	int r;

	if (cfg->mapping_min_pages > cfg->mapping_max_pages) {
		snprintf(err, errlen, "%s: %u is below %s (%u)", KEY(mapping_max_pages),
			 cfg->mapping_max_pages, KEY(mapping_min_pages), cfg->mapping_min_pages);
		return -EINVAL;
	}
	if (cfg->ops_mmap == 0 || total == cfg->ops_mmap) {
		snprintf(err, errlen,
			 "%s: needs a weight > 0 and at least one other operation with a "
			 "weight > 0",
			 KEY(ops_mmap));
		return -EINVAL;
	}
	if (cfg->ops_munmap == 0) {
		snprintf(err, errlen, "%s: must be > 0, or regions are never unmapped",
			 KEY(ops_munmap));
		return -EINVAL;
	}
	for (unsigned i = 0; vs_shapes[i]; i++)
		if (vs_shapes[i]->validate &&
		    (r = vs_shapes[i]->validate(cfg, strcmp(cfg->shape, vs_shapes[i]->name) == 0,
						err, errlen)) < 0)
			return r;
	if ((r = check_raise(cfg, err, errlen)) < 0)
		return r;
	return cfg->pressure_emulate_limit ? check_emulation(cfg, err, errlen) : 0;
}

/* The shape's keys over what is in cfg, and its name as the shape. */
static void apply_shape(const struct vs_shape *s, struct vs_config *cfg)
{
	snprintf(cfg->shape, sizeof(cfg->shape), "%s", s->name);
	for (unsigned i = 0; i < s->n; i++) {
		void *dst = vs_config_field(cfg, s->set[i].key);
		if (vs_config_keys[s->set[i].key].type == VS_KEY_FILL)
			*(double *)dst = s->set[i].value;
		else
			*(unsigned *)dst = (unsigned)s->set[i].value;
	}
}

/* Every shape's own keys at their row's default. */
static void shape_key_defaults(struct vs_config *cfg)
{
	const struct vs_config_key_info *ki;

	for (unsigned i = VS_KEY_COUNT; (ki = vs_config_key(i)); i++) {
		void *dst = vs_config_at(cfg, ki);
		switch (ki->type) {
		case VS_KEY_UINT:
			*(unsigned *)dst = (unsigned)ki->def;
			break;
		case VS_KEY_SEED:
			*(uint64_t *)dst = (uint64_t)ki->def;
			break;
		case VS_KEY_FILL:
			*(double *)dst = ki->def;
			break;
		case VS_KEY_STRING:
			snprintf(dst, ki->size, "%s", ki->def_string ? ki->def_string : "");
			break;
		}
	}
}

int vs_config_defaults(struct vs_config *cfg, const char *shape)
{
	const struct vs_shape *p = vs_shape_find(shape);

	if (!p)
		return -EINVAL;
	*cfg = vs_config_builtin;
	shape_key_defaults(cfg);
	apply_shape(p, cfg);
	return 0;
}

void vs_config_apply_overrides(struct vs_config *cfg, const struct vs_overrides *ov)
{
	for (int k = 0; k < VS_KEY_COUNT; k++)
		if (ov->has[k])
			memcpy(vs_config_field(cfg, (enum vs_config_key)k),
			       vs_config_value(&ov->v, &vs_config_keys[k]), vs_config_keys[k].size);
}

int vs_overrides_set(struct vs_overrides *ov, enum vs_config_key k, const char *text, char *err,
		     size_t errlen)
{
	const struct vs_config_key_info *ki = &vs_config_keys[k];
	void *dst = vs_config_at(&ov->v, ki);
	unsigned long long v;
	char *end;

	err[0] = 0;
	if (ki->type == VS_KEY_STRING) {
		if (*vs_config_check_string(ki, text, err, errlen))
			return -EINVAL;
		memcpy(dst, text, strlen(text) + 1);
	} else {
		errno = 0;
		v = strtoull(text, &end, 10);
		if (!text[0] || text[0] == '-' || text[0] == '+' || *end) {
			snprintf(err, errlen, "\"%s\" is not a non-negative integer", text);
			return -EINVAL;
		}
		unsigned long long lo = ki->type == VS_KEY_UINT ? (unsigned long long)ki->min : 0;
		unsigned long long hi =
		    ki->type == VS_KEY_UINT ? (unsigned long long)ki->max : UINT64_MAX;
		if (errno == ERANGE || v < lo || v > hi) {
			snprintf(err, errlen, "%s is out of range %llu..%llu", text, lo, hi);
			return -EINVAL;
		}
		if (ki->type == VS_KEY_SEED)
			*(uint64_t *)dst = v;
		else
			*(unsigned *)dst = (unsigned)v;
	}
	ov->has[k] = true;
	return 0;
}
