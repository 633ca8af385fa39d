/* recover's listing of every backup, as a table or as JSON. */
#ifndef TIERDUMP_LISTING_H
#define TIERDUMP_LISTING_H

#include <stdio.h>

#include "backup/catalog.h"

void listing_print_table(const struct catalog *c, FILE *out);
void listing_print_json(const struct catalog *c, FILE *out);

#endif
