/* profile.c: named presets a load test points at a host; keys not named keep their default. */
#include <stdio.h>
#include <string.h>
#include "vmastress/config/profile.h"

#define SET(k, v)                                                                                  \
	{                                                                                          \
		VS_KEY_##k, v                                                                      \
	}
#define PROFILE(name, doc, ...)                                                                    \
	{                                                                                          \
		name, doc, (const struct vs_preset[]){__VA_ARGS__},                                \
		    sizeof((const struct vs_preset[]){__VA_ARGS__}) / sizeof(struct vs_preset)     \
	}

const struct vs_profile vs_profiles[] = {
    /* The defaults of config.h are this profile. */
    PROFILE("guarded", "separator pages, held below the limit: expect zero munmap failures",
	    SET(mapping_separator_pages, 1)),
    /* fill 1.0 with no reserve hands the limit to the kernel: its refusals are
     * what gets measured. Short holes and flipped protections split VMAs fast. */
    PROFILE("fragment",
	    "neighbours merge, holes and re-protections split them up to the kernel's limit: "
	    "expect ENOMEM and leaks",
	    SET(mapping_min_pages, 4), SET(mapping_max_pages, 32), SET(mapping_separator_pages, 0),
	    SET(ops_mmap, 40), SET(ops_mprotect, 20), SET(ops_munmap, 5), SET(ops_punch, 35),
	    SET(pressure_target_fill, 1.0), SET(pressure_reserve, 0)),
    PROFILE("churn", "the highest op rate with separators, far from the limit (benchmarks)",
	    SET(mapping_max_pages, 16), SET(ops_mmap, 50), SET(ops_mprotect, 0),
	    SET(ops_munmap, 50), SET(pressure_target_fill, 0.1)),
};
const unsigned vs_profile_count = sizeof(vs_profiles) / sizeof(vs_profiles[0]);

const struct vs_profile *vs_profile_find(const char *name)
{
	for (unsigned i = 0; name && i < vs_profile_count; i++)
		if (strcmp(vs_profiles[i].name, name) == 0)
			return &vs_profiles[i];
	return NULL;
}

void vs_profile_apply(const struct vs_profile *p, struct vs_config *cfg)
{
	snprintf(cfg->profile, sizeof(cfg->profile), "%s", p->name);
	for (unsigned i = 0; i < p->n; i++) {
		void *dst = vs_config_field(cfg, p->set[i].key);
		if (vs_config_keys[p->set[i].key].type == VS_KEY_FILL)
			*(double *)dst = p->set[i].value;
		else
			*(unsigned *)dst = (unsigned)p->set[i].value;
	}
}

const char *vs_profile_names(void)
{
	static char names[128];

	if (!names[0])
		for (unsigned i = 0; i < vs_profile_count; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", vs_profiles[i].name);
	return names;
}
