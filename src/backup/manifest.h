/*
 * The manifest beside each backup: INI text we write ourselves and read back
 * with inih. Values are percent-encoded where INI could not carry them.
 */
#ifndef TIERDUMP_MANIFEST_H
#define TIERDUMP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/digest.h"

struct manifest_file {
	char *name;
	char *target;	      /* the target it holds; NULL for the environment's single target */
	char *engine;	      /* NULL: the backup's engine */
	char *server_version; /* the server it was dumped from; NULL: the backup's */
	char *client;	      /* the client tool that dumped it; NULL: not recorded */
	char **databases;     /* NULL: the backup's databases */
	size_t ndatabases;
	uint64_t size;	   /* bytes stored */
	uint64_t raw_size; /* bytes the engine produced, before compression */
	uint64_t new_size; /* chunked: the bytes of the chunks this backup added to the store */
	/* The SHA-256 of the stored file; chunked: of its chunk list (chunked/chunklist.h). */
	char sha256[DIGEST_HEX_LEN + 1];
};

/*
 * The manifest's format: 1, files in the backup's own directory; 2, the
 * chunked format, whose files are chunk lists in the store's chunk area
 * (chunked/chunks.h). A version that knows only 1 refuses 2 rather than
 * look for files that are not there.
 */
enum { MANIFEST_FILES = 1, MANIFEST_CHUNKED = 2 };

/* The hex digits of a chunk key's id (CHUNK_KEY_ID_LEN). */
#define MANIFEST_CHUNK_KEY_LEN 32

struct manifest {
	int format;
	char *tool_version;
	char *engine;
	char *server_version;
	char *client; /* the client tool that dumped, its version and folder; NULL: not recorded */
	char *tier;
	char *promoted_from; /* NULL for a backup made by a dump */
	char *compression;   /* gzip, zstd or none; NULL (old manifests) means gzip */
	int partial;	     /* some targets failed: never promoted, never "latest" */
	char **failed;	     /* the targets that failed */
	size_t nfailed;
	int compression_level;
	char *encryption;  /* "age" when every file is an age file; NULL: plain */
	char **recipients; /* whom: age1... keys, or "passphrase (scrypt)"; never a secret */
	size_t nrecipients;
	char *chunk_key; /* encrypted and chunked: the id of the store's chunk key (chunkkey.h) */
	time_t started, finished;
	/* A physical base backup (engine postgres-physical): where its WAL begins and ends. */
	char *wal_timeline, *wal_start_lsn, *wal_stop_lsn;
	char *wal_start_segment;	   /* the first WAL file it needs */
	time_t base_started, base_stopped; /* when it began; when it became consistent */
	char **databases;
	size_t ndatabases;
	struct manifest_file *files;
	size_t nfiles;
	/* The rowcounts file beside the manifest; "" when the backup has none. */
	char rowcounts_sha256[DIGEST_HEX_LEN + 1];
};

/* Adds a database name (copied). Returns 0 or -1 (out of memory). */
int manifest_add_database(struct manifest *m, const char *name);

/* Adds a file entry (name copied) and returns it, or NULL. */
struct manifest_file *manifest_add_file(struct manifest *m, const char *name);

/*
 * Renders m as INI text into a new string the caller frees. Returns NULL
 * with a reason in err (errlen bytes) when a value would make a line longer
 * than inih reads back, or when out of memory.
 */
char *manifest_render(const struct manifest *m, char *err, size_t errlen);

/* The longest line inih reads back whole (its INI_MAX_LINE less the newline and NUL). */
#define MANIFEST_MAX_LINE 198

/*
 * Parses INI text into m (zeroed first). Returns 0, or -1 with a message in
 * err (of errlen bytes) naming the line and what is wrong.
 */
int manifest_parse(const char *text, struct manifest *m, char *err, size_t errlen);

/*
 * The i-th file a copy of the backup carries besides its manifest: the
 * dumps, then the row counts when it has them; NULL past the last.
 */
const char *manifest_carried_file(const struct manifest *m, size_t i);

/* The bytes the backup added to its store: all of its files, or its new chunks when chunked. */
uint64_t manifest_new_size(const struct manifest *m);

/* Total stored bytes of all files. */
uint64_t manifest_size(const struct manifest *m);

/* Frees everything m holds; m itself may be on the stack. Accepts NULL. */
void manifest_free(struct manifest *m);

#endif
