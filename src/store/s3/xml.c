#include "store/s3/xml.h"

#include <expat.h>
#include <stdio.h>
#include <string.h>

enum { MAX_PATH = 512, MAX_TEXT = 4096 };

struct walk {
	xml_text_cb cb;
	void *arg;
	char path[MAX_PATH];
	char text[MAX_TEXT];
	size_t text_len;
	int depth_overflow; /* levels deeper than path holds */
};

static void on_start(void *data, const char *name, const char **attrs)
{
	struct walk *w = data;
	const char *local = strrchr(name, ':'); /* "ns:Name" with namespace processing */
	size_t len = strlen(w->path);

	(void)attrs;
	local = local ? local + 1 : name;
	if (w->depth_overflow > 0 || len + strlen(local) + 2 > sizeof(w->path)) {
		w->depth_overflow++;
		return;
	}
	snprintf(w->path + len, sizeof(w->path) - len, "%s%s", len ? "/" : "", local);
	w->text_len = 0;
	w->text[0] = '\0';
}

static void on_end(void *data, const char *name)
{
	struct walk *w = data;
	char *slash;

	(void)name;
	if (w->depth_overflow > 0) {
		w->depth_overflow--;
		return;
	}
	if (w->text_len > 0)
		w->cb(w->arg, w->path, w->text);
	w->text_len = 0;
	w->text[0] = '\0';
	slash = strrchr(w->path, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		w->path[0] = '\0';
}

static void on_text(void *data, const char *s, int len)
{
	struct walk *w = data;
	size_t room = sizeof(w->text) - 1 - w->text_len;
	size_t n = (size_t)len < room ? (size_t)len : room;

	memcpy(w->text + w->text_len, s, n);
	w->text_len += n;
	w->text[w->text_len] = '\0';
}

int xml_walk(const char *body, size_t len, xml_text_cb cb, void *arg)
{
	struct walk w;
	XML_Parser p = XML_ParserCreateNS(NULL, ':');
	int ok;

	if (p == NULL)
		return -1;
	memset(&w, 0, sizeof(w));
	w.cb = cb;
	w.arg = arg;
	XML_SetUserData(p, &w);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	ok = XML_Parse(p, body, (int)len, 1) == XML_STATUS_OK;
	XML_ParserFree(p);
	return ok ? 0 : -1;
}

void xml_escape(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);

	for (; *text != '\0' && used + 7 < len; text++) {
		const char *rep = *text == '&'	  ? "&amp;"
				  : *text == '<'  ? "&lt;"
				  : *text == '>'  ? "&gt;"
				  : *text == '"'  ? "&quot;"
				  : *text == '\'' ? "&apos;"
						  : NULL;

		if (rep != NULL)
			used += (size_t)snprintf(buf + used, len - used, "%s", rep);
		else
			buf[used++] = *text;
	}
	buf[used] = '\0';
}
