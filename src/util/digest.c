#include "util/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/log.h"

int digest_begin(struct digest *d)
{
	d->md = EVP_MD_CTX_new();
	if (d->md == NULL || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
		digest_discard(d);
		fail(EXIT_INTERNAL, "cannot set up SHA-256");
		return -1;
	}
	return 0;
}

void digest_add(struct digest *d, const void *buf, size_t len)
{
	EVP_DigestUpdate(d->md, buf, len);
}

void digest_hex(const unsigned char *bytes, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * len] = '\0';
}

void digest_end(struct digest *d, char *hex)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(d->md, digest, &len);
	digest_hex(digest, len, hex);
	digest_discard(d);
}

void digest_discard(struct digest *d)
{
	EVP_MD_CTX_free(d->md);
	d->md = NULL;
}

void digest_of(const void *buf, size_t len, char *hex)
{
	unsigned char digest[DIGEST_LEN];

	digest_sha256(buf, len, digest);
	digest_hex(digest, DIGEST_LEN, hex);
}

void digest_hmac_sha256(const unsigned char key[DIGEST_LEN], const void *buf, size_t len,
			unsigned char *out)
{
	unsigned int n = 0;

	HMAC(EVP_sha256(), key, DIGEST_LEN, buf, len, out, &n);
}

void digest_sha256(const void *buf, size_t len, unsigned char *out)
{
	unsigned int n = 0;

	EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL);
}
