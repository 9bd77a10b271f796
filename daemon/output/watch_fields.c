/* watch_fields.c: the rows of output/watch_fields.h, for every renderer of the watch. */
#include <stddef.h>
#include "vmastress/output/watch_fields.h"

const struct vs_field vs_watch_fields[VS_WF_COUNT] = {VS_WATCH_FIELDS(VS_FIELD_ROW)};
