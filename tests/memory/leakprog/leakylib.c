/* A shared library that leaks, like a binary-only extension: every "pattern study" keeps its
 * work buffer forever. Built stripped; only its exported (dynamic) symbols remain. */
#include <stdlib.h>
#include <string.h>

static void *kept[100000];
static unsigned nkept;

__attribute__((noinline)) void *leakylib_pattern_study(const char *pattern, size_t bytes)
{
	char *work = malloc(bytes);

	if (!work)
		return NULL;
	/* touch every page, as a real study table would */
	for (size_t i = 0; i < bytes; i += 4096)
		work[i] = pattern[i % 7];
	memcpy(work, pattern, strlen(pattern) + 1);
	if (nkept < sizeof(kept) / sizeof(kept[0]))
		kept[nkept++] = work;
	return work;
}
