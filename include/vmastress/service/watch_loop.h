/* watch_loop.h: watch mode (watch.enabled, --watch): no load, a scan of every
 * process's VMAs every watch.interval, served like the load's stats. */
#pragma once
#include "vmastress/service/loop.h"

int vs_watch_run(const struct vs_config *cfg, const struct vs_run_options *opt);
