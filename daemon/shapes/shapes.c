/* shapes.c: the registry of workload shapes, made from registry.h's list (their
 * presets and keys are applied by config.c, the owner of the configuration: the
 * registry calls nothing of config's).
 *
 * Add a shape:
 * 1. daemon/shapes/NAME.c: a `const struct vs_shape vs_shape_NAME` (shape.h): the
 *    consumer it models, its signature (its VMAs, and how it fails at the limit),
 *    its presets (VS_PRESETS of VS_SET(key, value) over the defaults), what each
 *    call is to the consumer (.call), and if the generic calls do not model it,
 *    its own .map and .protect built on calls/mapops.h (placement, the VMA model,
 *    claims and accounting come with them) and its vs_mapops_build_next.
 *    A region of its own kind is a struct vs_mapping given to vs_mapops_map.
 *    What it holds per worker beyond its regions lives in w->shape_state
 *    (VS_SHAPE_STATE) and is released by its .teardown. How the watch knows a
 *    process of this shape in /proc (.look), and what advise adds for one
 *    (.advice).
 *    Keys of its own ("NAME.key"): rows in its file (VS_SHAPE_KEYS_DECLARE,
 *    .keys = VS_SHAPE_KEY_ROWS(NAME), read with VS_SHAPE_KEYS(cfg, NAME)), rules
 *    between them in its .validate; -t, the report's config, reloads and
 *    FILE:LINE errors come with the rows. Document them in config/vmastressd.conf
 *    and vmastressd.conf(5) (test_docs checks both).
 * 2. Its row in vmastress/registry.h's VS_SHAPES (CMake builds every file of this folder).
 * 3. Its row in the README's table of shapes, and its signature in test_demand.
 * Teardown of its regions is generic (every live region unmapped, highest first). */
#include <stdio.h>
#include <string.h>
#include "vmastress/shapes/shape.h"

#define DECLARE(name) extern const struct vs_shape vs_shape_##name;
VS_SHAPES(DECLARE)
#define ADDRESS(name) &vs_shape_##name,
const struct vs_shape *const vs_shapes[] = {VS_SHAPES(ADDRESS) NULL};

const struct vs_shape *vs_shape_find(const char *name)
{
	for (unsigned i = 0; name && vs_shapes[i]; i++)
		if (strcmp(vs_shapes[i]->name, name) == 0)
			return vs_shapes[i];
	return NULL;
}

const struct vs_shape *vs_shape_guess(unsigned long total, unsigned long guards,
				      unsigned long files)
{
	const struct vs_shape *otherwise = vs_shapes[0];

	for (unsigned i = 0; vs_shapes[i]; i++) {
		const struct vs_shape_look *l = &vs_shapes[i]->look;
		if (total && ((l->guards > 0 && (double)guards >= l->guards * (double)total) ||
			      (l->files > 0 && (double)files >= l->files * (double)total)))
			return vs_shapes[i];
		if (l->otherwise)
			otherwise = vs_shapes[i];
	}
	return otherwise;
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
