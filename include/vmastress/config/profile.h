/* profile.h: named presets (guarded, fragment, churn): keys set over the defaults. */
#pragma once
#include <stdbool.h>
#include "vmastress/config/config.h"

struct vs_preset {
	enum vs_config_key key;
	double value; /* UINT and FILL keys: every preset value is exact in a double */
};

struct vs_profile {
	const char *name;
	const char *doc; /* what it models and what a run should show */
	const struct vs_preset *set;
	unsigned n;
};

extern const struct vs_profile vs_profiles[];
extern const unsigned vs_profile_count;

const struct vs_profile *vs_profile_find(const char *name);
/* Set the profile's keys in cfg (over what is there). */
void vs_profile_apply(const struct vs_profile *p, struct vs_config *cfg);
/* "guarded, fragment, churn" */
const char *vs_profile_names(void);
