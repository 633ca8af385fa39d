/* libFuzzer: the config-file loader (libconfig, settings, targets) on any input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/tierdump-fuzz-conf-XXXXXX";
	int fd = mkstemp(path);
	struct config c;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		conf_init(&c);
		conf_load_file(&c, path, 1);
		conf_free(&c);
	}
	close(fd);
	unlink(path);
	return 0;
}
