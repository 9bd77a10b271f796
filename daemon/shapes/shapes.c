/* shapes.c: the registry of workload shapes (their presets are applied by config.c,
 * the owner of the keys: the registry calls nothing of config's).
 *
 * Add a shape:
 * 1. daemon/shapes/NAME.c: a `const struct vs_shape vs_shape_NAME` (shape.h): the
 *    consumer it models, its signature (its VMAs, and how it fails at the limit),
 *    its presets (VS_PRESETS of VS_SET(key, value) over the defaults), what each
 *    call is to the consumer (.call), and if the generic calls do not model it,
 *    its own .map and .protect built on work/mapops.h (placement, the VMA model,
 *    claims and accounting come with them) and step.h's vs_step_build_next.
 * 2. Its row below, and the file in CMakeLists.txt's core sources.
 * 3. A key of its own: one X(...) row in config.h's VS_CONFIG_KEYS ("NAME.key"),
 *    documented in config/vmastressd.conf and vmastressd.conf(5) (test_docs
 *    checks both; -t prints it, reloads and FILE:LINE errors come with the row).
 * 4. Its row in the README's table of shapes, and its signature in test_demand.
 * Teardown is generic (every live region unmapped, highest first). */
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

const char *vs_shape_names(void)
{
	static char names[128];

	if (!names[0])
		for (unsigned i = 0; vs_shapes[i]; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", vs_shapes[i]->name);
	return names;
}
