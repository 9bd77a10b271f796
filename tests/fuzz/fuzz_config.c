/* fuzz_config.c: libFuzzer target: any bytes as vmastressd.conf, through the real loader. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmastress/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], err[512];
	struct vs_config cfg;

	if (fd < 0)
		fd = memfd_create("vmastressd.conf", 0);
	if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct vs_config_source src = {.path = path, .must_exist = true};
	if (vs_config_load(&cfg, &src, err, sizeof(err)) == 0) {
		/* Whatever loads must be valid and printable. */
		if (vs_config_validate(&cfg, err, sizeof(err)) != 0)
			__builtin_trap();
		FILE *null = fopen("/dev/null", "w");
		vs_config_print(&cfg, null);
		fclose(null);
	} else if (!memchr(err, ':', strlen(err))) {
		__builtin_trap(); /* every error names FILE:LINE */
	}
	return 0;
}
