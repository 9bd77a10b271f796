/* profile.h: named presets (guarded, fragment, churn). */
#pragma once
#include "vmastress/config.h"

/* Fill cfg with the built-in defaults of `name`; -EINVAL if unknown. */
int vs_profile_apply(struct vs_config *cfg, const char *name);
bool vs_profile_known(const char *name);
const char *vs_profile_names(void); /* "guarded, fragment, churn" */
