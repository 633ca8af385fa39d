/*
 * What the S3 and FTPS drivers set on every libcurl transfer alike:
 * timeouts for a dead or stalled peer, and BACKUP_MAX_RATE. Private to
 * src/store/.
 */
#ifndef TIERDUMP_STORE_TRANSFER_H
#define TIERDUMP_STORE_TRANSFER_H

#include <curl/curl.h>

/* max_rate: upload bytes per second, 0 for no cap. */
void store_transfer_limits(CURL *curl, long max_rate);

#endif
