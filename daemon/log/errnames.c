/* errnames.c: errno names for logs (glibc's table) and the counters' errno slots. */
#include <errno.h>
#include <string.h>
#include "vmastress/log/errnames.h"

/* Counter slots: the errnos these calls can return, plus "other". */
static const int slot_errno[VS_ERRNO_SLOTS - 1] = {ENOMEM, EINVAL, EAGAIN, EPERM,
						   EEXIST, EFAULT, EACCES};
static const char *const slot_name[VS_ERRNO_SLOTS] = {"ENOMEM", "EINVAL", "EAGAIN", "EPERM",
						      "EEXIST", "EFAULT", "EACCES", "EOTHER"};

const char *vs_errno_name(int err)
{
	/* glibc 2.32+: every errno it knows, by name, without allocation. */
	const char *name = strerrorname_np(err < 0 ? -err : err);

	return name ? name : "EUNKNOWN";
}

unsigned vs_errno_slot(int err)
{
	if (err < 0)
		err = -err;
	for (unsigned i = 0; i < VS_ERRNO_SLOTS - 1; i++)
		if (slot_errno[i] == err)
			return i;
	return VS_ERRNO_SLOTS - 1;
}

const char *vs_errno_slot_name(unsigned slot)
{
	return slot < VS_ERRNO_SLOTS ? slot_name[slot] : "EOTHER";
}
