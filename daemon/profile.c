/* profile.c: named presets a load test points at a host. */
#include <errno.h>
#include <string.h>
#include "vmastress/profile.h"

struct preset {
	const char *name;
	unsigned min_pages, max_pages, sep, touch;
	unsigned w_mmap, w_mprotect, w_munmap, w_punch;
	double fill;
	unsigned reserve;
};

static const struct preset presets[] = {
    /* Separators on, held below the limit: expect zero munmap failures. */
    {"guarded", 1, 64, 1, 0, 40, 30, 30, 0, 0.9, 512},
    /* Neighbours merge, holes and re-protections split them; the kernel's
     * limit is the only cap (fill 1.0, reserve 0): expect ENOMEM and leaks. */
    {"fragment", 4, 32, 0, 0, 40, 20, 5, 35, 1.0, 0},
    /* Highest op rate with separators, far from the limit (benchmarks). */
    {"churn", 1, 16, 1, 0, 50, 0, 50, 0, 0.1, 512},
};

static const struct preset *find(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

bool vs_profile_known(const char *name)
{
	return name && find(name) != NULL;
}

const char *vs_profile_names(void)
{
	return "guarded, fragment, churn";
}

int vs_profile_apply(struct vs_config *cfg, const char *name)
{
	const struct preset *p = find(name);

	if (!p)
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = 2;
	snprintf(cfg->profile, sizeof(cfg->profile), "%s", p->name);
	cfg->mapping.min_pages = p->min_pages;
	cfg->mapping.max_pages = p->max_pages;
	cfg->mapping.separator_pages = p->sep;
	cfg->mapping.touch_pages = p->touch;
	cfg->ops.mmap = p->w_mmap;
	cfg->ops.mprotect = p->w_mprotect;
	cfg->ops.munmap = p->w_munmap;
	cfg->ops.punch = p->w_punch;
	cfg->pressure.target_fill = p->fill;
	cfg->pressure.reserve = p->reserve;
	cfg->leaks.retry_interval_ms = 1000;
	snprintf(cfg->stats.socket, sizeof(cfg->stats.socket), "%s", VS_DEFAULT_SOCKET);
	cfg->stats.textfile_interval = 15;
	cfg->log.summary_interval = 60;
	cfg->log.events_per_second = 10;
	cfg->accounting.verify_interval_ms = 5000;
	cfg->accounting.sysctl_interval_ms = 1000;
	return 0;
}
