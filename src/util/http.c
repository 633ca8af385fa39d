#include "util/http.h"

#include <curl/curl.h>
#include <stdio.h>

#include "util/log.h"

long http_send(const char *method, const char *url, const char *what, const char *type,
	       const char *body, long timeout)
{
	struct curl_slist *headers = NULL;
	char header[128];
	long code = 0;
	CURL *curl = curl_easy_init();
	CURLcode rc;

	if (curl == NULL)
		return 0;
	snprintf(header, sizeof(header), "Content-Type: %s", type);
	headers = curl_slist_append(headers, header);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	else
		log_warn("cannot reach %s: %s", what, curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return code;
}
