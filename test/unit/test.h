/* A minimal test harness: CHECK records a pass or a failure and goes on. */
#ifndef TIERDUMP_TEST_H
#define TIERDUMP_TEST_H

#include <stdio.h>

extern int test_passed, test_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			test_passed++;                                                             \
		} else {                                                                           \
			test_failed++;                                                             \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

void test_timestamp(void);
void test_tier(void);
void test_manifest(void);
void test_conf(void);
void test_pg_filter(void);
void test_wal(void);
void test_rowcounts(void);
void test_env(void);
void test_pg(void);

#endif
