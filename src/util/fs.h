/* File system helpers. All return 0 or -1 with errno set, and log nothing. */
#ifndef TIERDUMP_FS_H
#define TIERDUMP_FS_H

#include <stddef.h>

/* Writes all of buf, retrying short writes and EINTR. */
int fs_write_all(int fd, const void *buf, size_t len);

/* Opens path (a directory) and fsyncs it, so a rename in it is durable. */
int fs_fsync_dir(const char *path);

/* Creates path and its missing parents with mode. */
int fs_mkdir_p(const char *path, unsigned mode);

/* Removes path and everything below it; a missing path is not an error. */
int fs_remove_tree(const char *path);

/* Removes everything in the directory path, which stays, with its owner and mode. */
int fs_remove_contents(const char *path);

/*
 * Reads a whole small file (a secret) into a new string the caller frees,
 * without its trailing newline. Returns NULL with errno set.
 */
char *fs_read_small_file(const char *path);

/* Copies the contents of src to a new file dst (O_EXCL) and fsyncs it. */
int fs_copy_file(const char *src, const char *dst);

#endif
