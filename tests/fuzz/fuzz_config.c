/* fuzz_config.c: libFuzzer target: any bytes as vmastressd.conf, through the real loader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
		/* -t round-trips: what it prints loads back to a config that prints
		 * the same (escaped strings, no value outside its range). */
		static int fd2 = -1;
		char *first = NULL, *second = NULL;
		size_t n1 = 0, n2 = 0;
		FILE *f = open_memstream(&first, &n1);
		vs_config_print(&cfg, f);
		fclose(f);
		if (fd2 < 0)
			fd2 = memfd_create("printed.conf", 0);
		if (fd2 < 0 || ftruncate(fd2, 0) < 0 || pwrite(fd2, first, n1, 0) != (ssize_t)n1) {
			free(first);
			return 0;
		}
		char path2[64];
		struct vs_config again;
		snprintf(path2, sizeof(path2), "/proc/self/fd/%d", fd2);
		struct vs_config_source src2 = {.path = path2, .must_exist = true};
		if (vs_config_load(&again, &src2, err, sizeof(err)) != 0)
			__builtin_trap(); /* printed, then refused */
		f = open_memstream(&second, &n2);
		vs_config_print(&again, f);
		fclose(f);
		if (n1 != n2 || memcmp(first, second, n1) != 0)
			__builtin_trap(); /* printed twice, differently */
		free(first);
		free(second);
	} else if (!memchr(err, ':', strlen(err))) {
		__builtin_trap(); /* every error names FILE:LINE */
	}
	return 0;
}
