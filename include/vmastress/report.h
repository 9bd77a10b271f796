/* report.h: the --report file: the stats JSON plus the regions that stayed mapped. */
#pragma once
#include <stdbool.h>
#include "vmastress/answer.h"

int vs_report_write(const struct vs_answer_ctx *c, const char *path, bool final);
