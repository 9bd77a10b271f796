/* errnames.c: errno names for logs and counters, without strerror. */
#include <errno.h>
#include "vmastress/log/errnames.h"

/* Counter slots: the errnos these calls can return, plus "other". */
static const int slot_errno[VS_ERRNO_SLOTS - 1] = {ENOMEM, EINVAL, EAGAIN, EPERM,
						   EEXIST, EFAULT, EACCES};
static const char *const slot_name[VS_ERRNO_SLOTS] = {"ENOMEM", "EINVAL", "EAGAIN", "EPERM",
						      "EEXIST", "EFAULT", "EACCES", "EOTHER"};

const char *vs_errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case ENOMEM:
		return "ENOMEM";
	case EINVAL:
		return "EINVAL";
	case EAGAIN:
		return "EAGAIN";
	case EPERM:
		return "EPERM";
	case EEXIST:
		return "EEXIST";
	case EFAULT:
		return "EFAULT";
	case EACCES:
		return "EACCES";
	case ENOENT:
		return "ENOENT";
	case EBADF:
		return "EBADF";
	case ENOSPC:
		return "ENOSPC";
	case ENOTSUP:
		return "ENOTSUP";
	case ERANGE:
		return "ERANGE";
	case EINTR:
		return "EINTR";
	case EIO:
		return "EIO";
	case ENOTTY:
		return "ENOTTY";
	default:
		return "EOTHER";
	}
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
