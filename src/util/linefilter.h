/*
 * A source that hands each line of another source to callbacks, which decide
 * what is read instead: the line, nothing, or other text. Used to adapt dump
 * scripts to the server they are restored into. Lines may be of any length.
 */
#ifndef TIERDUMP_LINEFILTER_H
#define TIERDUMP_LINEFILTER_H

#include <stddef.h>

#include "util/stream.h"

struct line_out;

struct line_filter_ops {
	/*
	 * Called with each line, its '\n' included (the last line may lack
	 * one); emits what the reader gets for it. Setting *rest_as_is stops
	 * the calls: everything after this line passes through untouched.
	 * Returns 0, or -1 after fail().
	 */
	int (*line)(void *state, const char *line, size_t len, struct line_out *out,
		    int *rest_as_is);
	/* Optional: called once at the end of the input; may emit more. */
	int (*end)(void *state, struct line_out *out);
	/* Frees state. */
	void (*free)(void *state);
};

/* Appends data to what the reader gets. Returns 0, or -1 after fail(). */
int line_emit(struct line_out *out, const char *data, size_t len);

/*
 * Wraps inner, which it owns, as is state. Returns NULL after fail(), having
 * closed inner and freed state.
 */
struct source *line_filter_source(struct source *inner, const struct line_filter_ops *ops,
				  void *state);

#endif
