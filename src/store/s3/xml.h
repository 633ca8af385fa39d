/*
 * The little XML S3 answers in, read with expat: each element's text is
 * handed to a callback with its path ("ListBucketResult/Contents/Key"),
 * namespaces left out.
 */
#ifndef TIERDUMP_S3_XML_H
#define TIERDUMP_S3_XML_H

#include <stddef.h>

typedef void (*xml_text_cb)(void *arg, const char *path, const char *text);

/* Returns 0, or -1 when the document is not well-formed XML. */
int xml_walk(const char *body, size_t len, xml_text_cb cb, void *arg);

/* Appends text to buf (of len bytes) with XML's five special characters escaped. */
void xml_escape(char *buf, size_t len, const char *text);

#endif
