/* guarded.c: separator pages, held below the limit. The defaults of config.h. */
#include "vmastress/shapes/shape.h"

const struct vs_shape vs_shape_guarded = {
    .name = "guarded",
    .models = "an allocator that puts a guard page below every mapping, kept below the limit",
    .signature = "2 VMAs per region; at 90 % of the limit, less a reserve: no failures",
    VS_PRESETS(VS_SET(mapping_separator_pages, 1)),
};
