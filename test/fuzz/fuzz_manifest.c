/* libFuzzer: the manifest reader must refuse or accept any text without crashing,
 * and what it accepts must render and parse back to the same manifest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backup/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256], *again;
	struct manifest m, back;

	memcpy(text, data, size);
	text[size] = '\0';
	if (manifest_parse(text, &m, err, sizeof(err)) == 0) {
		/* What renders must read back the same; a refusal to render is fine. */
		again = manifest_render(&m, err, sizeof(err));
		if (again != NULL) {
			if (manifest_parse(again, &back, err, sizeof(err)) != 0)
				abort();
			if (back.nfiles != m.nfiles || back.ndatabases != m.ndatabases ||
			    back.partial != m.partial)
				abort();
			manifest_free(&back);
			free(again);
		}
		manifest_free(&m);
	}
	free(text);
	return 0;
}
