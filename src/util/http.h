/* One small HTTP request with libcurl: the webhook, the Pushgateway, health pings. */
#ifndef TIERDUMP_HTTP_H
#define TIERDUMP_HTTP_H

/*
 * Sends body (with Content-Type type) by method to url, giving up after
 * timeout seconds. Returns the HTTP status, or 0 when nothing came back,
 * logged as a warning naming what (the URL itself, or the setting when the
 * URL is a secret). Call curl_global_init() first.
 */
long http_send(const char *method, const char *url, const char *what, const char *type,
	       const char *body, long timeout);

#endif
