/* threads.c: thread stacks with a guard page, made as glibc's pthread_create makes them. */
#include "vmastress/shapes/shape.h"

/*
 * glibc's allocate_stack maps the whole stack PROT_NONE, then opens all but the
 * guard page (mprotect PROT_READ|PROT_WRITE): 2 VMAs a stack. That is the
 * separator layout of work/mapops.c, [guard][stack], with the guard as the
 * separator. At the limit the mmap still fits (the kernel allows limit + 1)
 * and the mprotect that splits off the guard is refused: ENOMEM, glibc's
 * "cannot protect guard page" and pthread_create's EAGAIN. Threads come and
 * go: stacks are created and retired, never re-protected.
 */
const struct vs_shape vs_shape_threads = {
    .name = "threads",
    .models = "JVMs and thread-heavy servers: a stack and its guard page per thread",
    .signature = "2 VMAs per thread; at the limit the guard page's mprotect fails with ENOMEM "
		 "(pthread_create: EAGAIN)",
    /* 64 KiB stacks: small threads; MAP_NORESERVE and untouched, so only the
     * VMAs cost. */
    VS_PRESETS(VS_SET(mapping_min_pages, 16), VS_SET(mapping_max_pages, 16),
	       VS_SET(mapping_separator_pages, 1), VS_SET(ops_mmap, 50), VS_SET(ops_mprotect, 0),
	       VS_SET(ops_munmap, 50), VS_SET(ops_punch, 0), VS_SET(pressure_target_fill, 0.9)),
    .call = {"stack mmap", "guard page mprotect", "stack munmap"},
};
