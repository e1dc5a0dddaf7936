/* A tiny "server": each request compiles a pattern through leakylib (which leaks) and does
 * some short-lived work that it frees. Waits for one byte on stdin before serving, so a tracer
 * can attach first, unless told "nowait".
 * Usage: leakyserver REQUESTS [LEAK_BYTES [DELAY_US [nowait]]] (REQUESTS 0: forever)
 * Prints a checksum and the time spent serving, in microseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *leakylib_pattern_study(const char *pattern, size_t bytes);

__attribute__((noinline)) static int compile_pattern(int i, size_t bytes)
{
	char pattern[32];
	char *p;

	snprintf(pattern, sizeof(pattern), "req-%d-[a-z]+", i);
	p = leakylib_pattern_study(pattern, bytes);
	return p ? p[0] : 0;
}

__attribute__((noinline)) static int handle_request(int i, size_t bytes)
{
	char *scratch = malloc(512); /* freed: reused from the free list, no syscall */
	int r;

	memset(scratch, i, 512);
	r = compile_pattern(i, bytes) + scratch[3];
	free(scratch);
	return r;
}

int main(int argc, char **argv)
{
	int requests = argc > 1 ? atoi(argv[1]) : 100;
	size_t bytes = argc > 2 ? strtoul(argv[2], NULL, 0) : 48 << 10;
	unsigned delay = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	unsigned sum = 0;
	struct timespec t0, t1;
	char go;

	if ((argc <= 4 || strcmp(argv[4], "nowait")) && read(0, &go, 1) < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; requests == 0 || i < requests; i++) {
		sum += handle_request(i, bytes);
		if (delay)
			usleep(delay);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the checksum, and the serving time in microseconds (benchmarks/alloc_bench.py) */
	printf("%u %ld\n", sum, (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
	return 0;
}
