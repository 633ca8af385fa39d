/* JSON output helpers. */
#ifndef TIERDUMP_JSON_H
#define TIERDUMP_JSON_H

#include <stdio.h>

/* Writes s (NULL as "") as a JSON string, escaped. */
void json_string(FILE *out, const char *s);

#endif
