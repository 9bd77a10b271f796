/* fragment.c: merged neighbours split by holes and re-protections up to the kernel's limit. */
#include "vmastress/shapes/shape.h"

const struct vs_shape vs_shape_fragment = {
    .name = "fragment",
    .models = "a heap without guard pages that frees and re-protects parts of its mappings",
    .signature = "neighbours merge, every hole or flipped range splits one; fill 1.0 with no "
		 "reserve hands the limit to the kernel: munmap and mprotect ENOMEM, leaks",
    /* Short holes and protections that always flip split VMAs fastest. */
    VS_PRESETS(VS_SET(mapping_min_pages, 4), VS_SET(mapping_max_pages, 32),
	       VS_SET(mapping_separator_pages, 0), VS_SET(ops_mmap, 40), VS_SET(ops_mprotect, 20),
	       VS_SET(ops_munmap, 5), VS_SET(ops_punch, 35), VS_SET(pressure_target_fill, 1.0),
	       VS_SET(pressure_reserve, 0)),
    .call = {"mmap", "mprotect (split)", "munmap (hole)"},
};
