/*
 * The names and keys of everything tierdump keeps in a store, in one place:
 * a backup is the directory "<tier>/<name>" holding its files, its manifest,
 * its row counts and its verified record; the WAL archive lives under "wal/".
 * Each function writes into buf (KEY_MAX bytes) and returns buf.
 */
#ifndef TIERDUMP_KEYS_H
#define TIERDUMP_KEYS_H

#include <stddef.h>

#include "backup/manifest.h"
#include "store/store.h"

#define KEY_MAX 1024

/* The files every backup may hold besides its dumps. */
#define KEY_MANIFEST STORE_MARKER	  /* "manifest": the store removes it first */
#define KEY_ROWCOUNTS "rowcounts"	  /* beside the manifest, which records its checksum */
#define KEY_ROWCOUNTS_AGE "rowcounts.age" /* the same, in an encrypted backup */
#define KEY_VERIFIED "verified" /* the last test-restore's result; written anew each time */
#define KEY_KEPT "kept" /* backup --keep's pin and reason; --unkeep rewrites it as released */
#define KEPT_YES "kept = yes\n" /* how a pin that holds begins */

/* Where PostgreSQL's archived WAL lives, beside the tiers. */
#define KEY_WAL_AREA "wal"

/* "tier/name": a backup (name is its timestamp, or a bandr file's name). */
char *key_backup(char *buf, const char *tier, const char *name);

/* "tier/name/file": one file of a backup. */
char *key_backup_file(char *buf, const char *tier, const char *name, const char *file);

/* The row counts of the backup tier/name that m describes: beside it, or a chunked one's blob. */
char *key_rowcounts(char *buf, const char *tier, const char *name, const struct manifest *m);

/* "wal/<file><suffix>": an archived WAL file's object (".gz") or record (".meta"). */
char *key_wal(char *buf, const char *file, const char *suffix);

#endif
