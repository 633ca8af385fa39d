/*
 * Counts each table's rows in a mariadb-dump script as it streams into the
 * store: a table's data sits between `LOCK TABLES `t` WRITE;` and
 * `UNLOCK TABLES;` in the database the last `USE` named, in INSERT
 * statements whose every row is one parenthesized tuple (several to a
 * statement, on one line or one a line, by version). A small state machine
 * over the INSERTs' bytes, strings and quoted names skipped, finds the
 * tuples: exact, and cheap beside compression.
 */
#ifndef TIERDUMP_MY_ROWCOUNT_H
#define TIERDUMP_MY_ROWCOUNT_H

#include "backup/rowcounts.h"
#include "util/stream.h"

/*
 * Wraps inner (which it owns): passes every byte on unchanged and, at
 * commit, adds the counts of the user databases' tables under file's name
 * to counts (which must outlive the sink). Returns NULL after fail().
 */
struct sink *my_rowcount_sink(struct sink *inner, struct rowcounts *counts, const char *file);

#endif
