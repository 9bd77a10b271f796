/* errnames.h: errno names without strerror allocation; slots for counters. */
#pragma once
#include "vmastress/stats.h"

const char *vs_errno_name(int err); /* "ENOMEM", "EROFS", ...; "EUNKNOWN" if not an errno */
unsigned vs_errno_slot(int err);    /* 0..VS_ERRNO_SLOTS-1, last is "other" */
const char *vs_errno_slot_name(unsigned slot);
