#include "store/transfer.h"

void store_transfer_limits(CURL *curl, long max_rate)
{
	/* A stalled transfer (under 1 KiB/s for a minute) counts as a timeout... */
	long stalled = 1024;

	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
	if (max_rate > 0) {
		curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)max_rate);
		/* ...unless the cap itself is that slow. */
		if (max_rate / 2 < stalled)
			stalled = max_rate / 2 > 0 ? max_rate / 2 : 1;
	}
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, stalled);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
}
