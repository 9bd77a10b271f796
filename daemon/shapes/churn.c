/* churn.c: the highest op rate with separators, far from the limit (benchmarks). */
#include "vmastress/shapes/shape.h"

const struct vs_shape vs_shape_churn = {
    .name = "churn",
    .models = "short-lived mappings made and dropped as fast as the kernel allows",
    .signature = "2 VMAs per region, a walk from nothing below 10 % of the limit (no build "
		 "first): no failures; the op rate is the figure",
    VS_PRESETS(VS_SET(mapping_max_pages, 16), VS_SET(ops_mmap, 50), VS_SET(ops_mprotect, 0),
	       VS_SET(ops_munmap, 50), VS_SET(pressure_target_fill, 0.1)),
    .no_build = true,
};
