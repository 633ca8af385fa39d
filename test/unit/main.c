/* Unit tests of the pure parts; prints "N passed, N failed" and fails on any failure. */
#include "test.h"

#include "util/log.h"

int test_passed, test_failed;

int main(void)
{
	/* In the order of src/: top-level files, then each folder's modules. */
	static void (*const tests[])(void) = {
	    test_conf,
	    test_tier,
	    test_backup_catalog,
	    test_backup_keys,
	    test_backup_manifest,
	    test_backup_rowcounts,
	    test_backup_writer,
	    test_chunked_cdc,
	    test_chunked_chunkkey,
	    test_chunked_chunkset,
	    test_chunked_writer,
	    test_compress_codec,
	    test_compress_gzip,
	    test_compress_none,
	    test_compress_zstd,
	    test_engine_engine,
	    test_engine_select,
	    test_engine_mariadb_filter,
	    test_engine_mariadb_rowcount,
	    test_engine_postgres_clients,
	    test_engine_postgres_filter,
	    test_engine_postgres_pg,
	    test_engine_postgres_pitr,
	    test_engine_postgres_rowcount,
	    test_engine_postgres_select,
	    test_engine_postgres_wal_name,
	    test_pipeline_age,
	    test_util_array,
	    test_util_bytes,
	    test_util_duration,
	    test_util_membuf,
	    test_util_privfile,
	    test_util_env,
	    test_util_timestamp,
	    test_util_words,
	    test_store_s3_credentials,
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("unit");
	for (size_t i = 0; i < sizeof(tests) / sizeof(*tests); i++)
		tests[i]();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed != 0;
}
