#include "util/words.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/strlist.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Copies one word starting at *p into out (strlen(text)+1 bytes); advances *p past it. */
static int one_word(const char **p, char *out, const char *what)
{
	const char *s = *p;
	size_t len = 0;

	while (*s != '\0' && !is_blank(*s)) {
		char quote = *s;

		if (quote == '\'' || quote == '"') {
			for (s++; *s != quote; s++) {
				if (*s == '\0') {
					fail(EXIT_CONFIG, "%s: the %s quote is not closed", what,
					     quote == '\'' ? "single" : "double");
					return -1;
				}
				if (quote == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				out[len++] = *s;
			}
			s++;
			continue;
		}
		if (*s == '\\') {
			if (s[1] == '\0') {
				fail(EXIT_CONFIG, "%s: a backslash ends it: it escapes nothing",
				     what);
				return -1;
			}
			s++;
		}
		out[len++] = *s++;
	}
	out[len] = '\0';
	*p = s;
	return 0;
}

int words_split(const char *text, const char *what, char ***words, size_t *n)
{
	char *word = malloc(strlen(text) + 1);
	const char *p = text;
	char **grown;
	int rc = -1;

	*words = NULL;
	*n = 0;
	if (word == NULL) {
		fail(EXIT_INTERNAL, "out of memory splitting %s", what);
		return -1;
	}
	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		if (one_word(&p, word, what) < 0)
			goto out;
		if (strlist_add(words, n, word) < 0) {
			fail(EXIT_INTERNAL, "out of memory splitting %s", what);
			goto out;
		}
	}
	/* NULL-terminated for execvp, one slot past the n words. */
	grown = realloc(*words, (*n + 1) * sizeof(**words));
	if (grown == NULL) {
		fail(EXIT_INTERNAL, "out of memory splitting %s", what);
		goto out;
	}
	*words = grown;
	grown[*n] = NULL;
	rc = 0;
out:
	free(word);
	if (rc < 0) {
		strlist_free(*words, *n);
		*words = NULL;
		*n = 0;
	}
	return rc;
}
