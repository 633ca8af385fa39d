#include <string.h>

#include "test.h"
#include "util/log.h"
#include "util/strlist.h"
#include "util/words.h"

/* Splits text and compares the words with want (NULL-terminated); NULL want: must fail. */
static void check_split(const char *text, const char *const *want)
{
	char **words;
	size_t n, i;
	int rc = words_split(text, "BACKUP_HOOK_BEFORE", &words, &n);

	fail_clear();
	if (want == NULL) {
		CHECK(rc < 0 && words == NULL && n == 0, "'%s' refused", text);
		return;
	}
	CHECK(rc == 0, "'%s' splits", text);
	if (rc < 0)
		return;
	for (i = 0; want[i] != NULL && i < n; i++)
		CHECK(strcmp(words[i], want[i]) == 0, "'%s' word %zu: '%s', want '%s'", text, i,
		      words[i], want[i]);
	CHECK(i == n && want[i] == NULL, "'%s': %zu words", text, n);
	CHECK(words[n] == NULL, "'%s': NULL-terminated", text);
	strlist_free(words, n);
}

void test_util_words(void)
{
	check_split("", (const char *const[]){NULL});
	check_split("  \t ", (const char *const[]){NULL});
	check_split("/bin/echo a  b", (const char *const[]){"/bin/echo", "a", "b", NULL});
	check_split("cmd 'two words' \"and three here\"",
		    (const char *const[]){"cmd", "two words", "and three here", NULL});
	/* Nothing is expanded: what a shell would act on is passed as it is. */
	check_split("echo $(id) ; rm -rf / | x > y $HOME ~ *",
		    (const char *const[]){"echo", "$(id)", ";", "rm", "-rf", "/", "|", "x", ">",
					  "y", "$HOME", "~", "*", NULL});
	check_split("a'b'\"c\"d", (const char *const[]){"abcd", NULL});
	check_split("'' x", (const char *const[]){"", "x", NULL});
	check_split("\"say \\\"hi\\\" \\\\ \\n\"",
		    (const char *const[]){"say \"hi\" \\ \\n", NULL});
	check_split("'it\\'", (const char *const[]){"it\\", NULL});
	check_split("a\\ b c", (const char *const[]){"a b", "c", NULL});
	check_split("line1\nline2", (const char *const[]){"line1", "line2", NULL});
	check_split("'open", NULL);
	check_split("\"open", NULL);
	check_split("trailing\\", NULL);
}
