/* shapes.c: the registry of workload shapes, and presets applied over the defaults. */
#include <stdio.h>
#include <string.h>
#include "vmastress/shapes/shape.h"

extern const struct vs_shape vs_shape_guarded, vs_shape_fragment, vs_shape_churn, vs_shape_threads,
    vs_shape_allocator, vs_shape_files;

/* The first one is the default profile. */
const struct vs_shape *const vs_shapes[] = {&vs_shape_guarded,
					    &vs_shape_fragment,
					    &vs_shape_churn,
					    &vs_shape_threads,
					    &vs_shape_allocator,
					    &vs_shape_files,
					    NULL};

const struct vs_shape *vs_shape_find(const char *name)
{
	for (unsigned i = 0; name && vs_shapes[i]; i++)
		if (strcmp(vs_shapes[i]->name, name) == 0)
			return vs_shapes[i];
	return NULL;
}

void vs_shape_apply(const struct vs_shape *s, struct vs_config *cfg)
{
	snprintf(cfg->profile, sizeof(cfg->profile), "%s", s->name);
	for (unsigned i = 0; i < s->n; i++) {
		void *dst = vs_config_field(cfg, s->set[i].key);
		if (vs_config_keys[s->set[i].key].type == VS_KEY_FILL)
			*(double *)dst = s->set[i].value;
		else
			*(unsigned *)dst = (unsigned)s->set[i].value;
	}
}

const char *vs_shape_names(void)
{
	static char names[128];

	if (!names[0])
		for (unsigned i = 0; vs_shapes[i]; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", vs_shapes[i]->name);
	return names;
}
